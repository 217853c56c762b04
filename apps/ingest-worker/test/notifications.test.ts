import { defaultSettings, type NotificationSettings, notificationIdFor } from "@fluxnotify/shared/contracts";
import { describe, expect, it } from "vitest";
import { type PlanInput, planNotifications } from "../src/notifications";

const input = (
  overrides: Partial<PlanInput> = {},
  settings: Partial<NotificationSettings> = {},
): PlanInput => ({
  eventId: "e-1",
  eventType: "com.fluxpay.payment.failed",
  domain: "payment",
  tenantId: "t",
  userId: "u",
  occurredAt: "2026-02-04T10:30:00.000Z",
  templateData: { amount: "15000.00", currency: "KRW" },
  traceId: "trace",
  settings: { ...defaultSettings(), contacts: { EMAIL: "a@example.com" }, devices: DEVICES, ...settings },
  opsWebhookUrl: "https://hooks.slack.com/services/ops",
  now: new Date("2026-02-04T10:30:01.000Z"),
  ...overrides,
});

const DEVICES: NotificationSettings["devices"] = [
  {
    id: "7d3c1a52-0d6e-4bb4-9f43-1f0c6f1b2a01",
    type: "webpush",
    address: "https://fcm.googleapis.com/fcm/send/secret-path",
    label: "Laptop",
  },
  { id: "7d3c1a52-0d6e-4bb4-9f43-1f0c6f1b2a02", type: "fcm", address: "fcm-token-abcdef123456", label: null },
];

describe("planNotifications", () => {
  it("issues one command per destination and no PENDING event, unless asked (replays)", () => {
    const settings = { contacts: { EMAIL: "a@example.com", SLACK: "https://hooks.slack.com/services/mine" } };
    const plan = planNotifications(input({}, settings));
    expect(plan.commands.map((c) => [c.channel, c.destination])).toEqual([
      ["EMAIL", "a@example.com"],
      ["SLACK", "https://hooks.slack.com/services/ops"],
      ["SLACK", "https://hooks.slack.com/services/mine"],
      ["IN_APP", "notifications:t:u"],
      ["PUSH", DEVICES[0]?.id],
      ["PUSH", DEVICES[1]?.id],
    ]);
    expect(plan.deliveryEvents).toEqual([]);
    expect(new Set(plan.commands.map((c) => c.notificationId)).size).toBe(6);
    const replayed = planNotifications({ ...input({}, settings), announcePending: true });
    expect(replayed.deliveryEvents.map((d) => [d.channel, d.status, d.recipient])).toEqual([
      ["EMAIL", "PENDING", "a@example.com"],
      ["SLACK", "PENDING", "hooks.slack.com"],
      ["SLACK", "PENDING", "hooks.slack.com"],
      ["IN_APP", "PENDING", "notifications:t:u"],
      // A device as history shows it: never the endpoint's path or the whole token.
      ["PUSH", "PENDING", "webpush fcm.googleapis.com (Laptop)"],
      ["PUSH", "PENDING", "fcm …123456"],
    ]);
    // Every status of a notification shows the recipient the command carries.
    expect(replayed.commands.map((c) => c.display)).toEqual(replayed.deliveryEvents.map((d) => d.recipient));
  });

  it("derives notification ids deterministically from event, channel and destination", () => {
    const [first] = planNotifications(input()).commands;
    const [again] = planNotifications(input({ now: new Date() })).commands;
    expect(first?.notificationId).toBe(again?.notificationId);
    expect(first?.notificationId).toBe(notificationIdFor("e-1", "EMAIL", "a@example.com"));
    expect(first?.notificationId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("records a channel without a contact point as SKIPPED, not failed", () => {
    const plan = planNotifications(input({ opsWebhookUrl: undefined }, { contacts: {}, devices: [] }));
    expect(plan.commands.map((c) => c.channel)).toEqual(["IN_APP"]);
    expect(
      plan.deliveryEvents.filter((d) => d.status === "SKIPPED").map((d) => [d.channel, d.reasonCode]),
    ).toEqual([
      ["EMAIL", "NO_CONTACT_POINT"],
      ["SLACK", "NO_CONTACT_POINT"],
      ["PUSH", "NO_CONTACT_POINT"],
    ]);
  });

  it("records a channel switched off as SKIPPED with CHANNEL_DISABLED", () => {
    const plan = planNotifications(input({}, { channels: { SLACK: false } }));
    expect(plan.commands.map((c) => c.channel)).toEqual(["EMAIL", "IN_APP", "PUSH", "PUSH"]);
    expect(plan.deliveryEvents.find((d) => d.channel === "SLACK")).toMatchObject({
      status: "SKIPPED",
      reasonCode: "CHANNEL_DISABLED",
      recipient: null,
    });
  });

  it("carries what the channel needs to render without calling back", () => {
    const [email] = planNotifications(input({}, { locale: "en", timeZone: "Europe/Berlin" })).commands;
    expect(email).toMatchObject({
      v: 1,
      tenantId: "t",
      domain: "payment",
      eventType: "com.fluxpay.payment.failed",
      occurredAt: "2026-02-04T10:30:00.000Z",
      traceId: "trace",
      templateData: { amount: "15000.00", currency: "KRW" },
      recipient: { userId: "u", locale: "en", timeZone: "Europe/Berlin" },
      destination: "a@example.com",
    });
  });

  it("the same webhook set as both ops and user webhook is called once", () => {
    const plan = planNotifications(
      input({}, { contacts: { SLACK: "https://hooks.slack.com/services/ops" } }),
    );
    expect(plan.commands.filter((c) => c.channel === "SLACK")).toHaveLength(1);
  });

  it("an event with no route produces nothing", () => {
    const plan = planNotifications(input({ eventType: "com.fluxpay.refund.requested" }));
    expect(plan).toEqual({ commands: [], deliveryEvents: [] });
  });
});
