import { describe, expect, it } from "vitest";
import {
  defaultSettings,
  EVENT_TYPES,
  type EventType,
  type NotificationSettings,
  routeEvent,
} from "../src/contracts/index";

const sent = (type: EventType, settings: NotificationSettings = defaultSettings()) =>
  routeEvent(type, settings)
    .filter((d) => d.send)
    .map((d) => d.channel)
    .sort();
const skipped = (type: EventType, settings: NotificationSettings) =>
  routeEvent(type, settings)
    .filter((d) => !d.send)
    .map((d) => d.channel)
    .sort();
const settingsWith = (patch: Partial<NotificationSettings>): NotificationSettings => ({
  ...defaultSettings(),
  ...patch,
});

describe("routeEvent defaults (CONTRACT §2)", () => {
  it.each<[EventType, string[]]>([
    ["com.fluxpay.payment.approved", ["EMAIL", "IN_APP", "PUSH"]],
    ["com.fluxpay.payment.failed", ["EMAIL", "IN_APP", "PUSH", "SLACK"]],
    ["com.fluxpay.subscription.renewed", ["EMAIL"]],
    ["com.fluxpay.subscription.expiring", ["EMAIL", "IN_APP", "PUSH"]],
    ["com.fluxpay.subscription.created", ["EMAIL"]],
    ["com.fluxpay.subscription.cancelled", ["EMAIL"]],
    ["com.fluxpay.order.created", ["IN_APP"]],
    ["com.fluxpay.order.status-changed", ["IN_APP"]],
    ["com.fluxpay.refund.completed", ["EMAIL", "IN_APP", "PUSH"]],
    ["com.fluxpay.refund.failed", ["EMAIL", "IN_APP", "PUSH", "SLACK"]],
    ["com.fluxpay.refund.requested", []],
  ])("%s → %j", (type, channels) => {
    expect(sent(type)).toEqual(channels);
    expect(skipped(type, defaultSettings())).toEqual([]);
  });

  it("covers every known event type", () => {
    expect(EVENT_TYPES).toHaveLength(11);
  });
});

describe("routeEvent overrides", () => {
  it("a channel's master switch off turns it off everywhere, recorded as skipped", () => {
    const settings = settingsWith({ channels: { EMAIL: false } });
    expect(sent("com.fluxpay.payment.failed", settings)).toEqual(["IN_APP", "PUSH", "SLACK"]);
    expect(skipped("com.fluxpay.payment.failed", settings)).toEqual(["EMAIL"]);
    expect(skipped("com.fluxpay.order.created", settings)).toEqual([]); // EMAIL was never a default there
  });

  it("a master switch on does not add a channel to events that do not use it", () => {
    expect(sent("com.fluxpay.order.created", settingsWith({ channels: { EMAIL: true } }))).toEqual([
      "IN_APP",
    ]);
  });

  it("a per-event-type switch turns a default channel off for that type only", () => {
    const settings = settingsWith({ eventTypes: { "payment.approved": { IN_APP: false } } });
    expect(sent("com.fluxpay.payment.approved", settings)).toEqual(["EMAIL", "PUSH"]);
    expect(skipped("com.fluxpay.payment.approved", settings)).toEqual(["IN_APP"]);
    expect(sent("com.fluxpay.refund.completed", settings)).toEqual(["EMAIL", "IN_APP", "PUSH"]);
  });

  it("a per-event-type switch turns on a channel that is not a default", () => {
    const settings = settingsWith({
      eventTypes: { "refund.requested": { EMAIL: true }, "order.created": { SLACK: true } },
    });
    expect(sent("com.fluxpay.refund.requested", settings)).toEqual(["EMAIL"]);
    expect(sent("com.fluxpay.order.created", settings)).toEqual(["IN_APP", "SLACK"]);
  });

  it("the per-event-type switch wins over the master switch", () => {
    const settings = settingsWith({
      channels: { EMAIL: false },
      eventTypes: { "payment.failed": { EMAIL: true } },
    });
    expect(sent("com.fluxpay.payment.failed", settings)).toEqual(["EMAIL", "IN_APP", "PUSH", "SLACK"]);
    expect(skipped("com.fluxpay.payment.approved", settings)).toEqual(["EMAIL"]);
  });

  it("switching off a channel that is not a default records nothing", () => {
    const settings = settingsWith({ eventTypes: { "order.created": { EMAIL: false } } });
    expect(routeEvent("com.fluxpay.order.created", settings)).toEqual([{ channel: "IN_APP", send: true }]);
  });
});
