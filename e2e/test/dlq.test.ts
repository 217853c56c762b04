import { afterAll, describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor } from "../src/api";
import { encode, event, fluxpayPublisher } from "../src/fluxpay";
import { eventually, logHint, observed } from "../src/observe";
import { tenantsOf } from "../src/resources";
import { OCCURRED_AT, userEvents } from "../src/scenario";

const runId = inject("e2eRunId");
const tenant = tenantsOf(runId).dlq;
const api = apiFor(tenant);
const publisher = fluxpayPublisher();
afterAll(() => publisher.close());

async function emailTotals() {
  const email = (await api.channelTotals()).find((c) => c.channel === "EMAIL");
  return { sentCount: email?.sentCount ?? 0, failedCount: email?.failedCount ?? 0 };
}

describe("dead letters", () => {
  it("a malformed event is dead-lettered at once with the reason, on its domain's DLQ", async () => {
    const broken = event(tenant, "payment.approved", {
      paymentId: "pay-x",
      orderId: "ord-x",
      occurredAt: OCCURRED_AT,
    });
    await publisher.send([encode(broken, "structured")]); // no amount, no currency
    const [letter] = await eventually(async () => {
      const items = await api.deadLetters(broken.id);
      expect(items).toHaveLength(1);
      return items;
    });
    expect(letter).toMatchObject({ domain: "payment", channel: null, status: "PENDING" });
    expect(letter?.errorMessage).toMatch(/amount/);
    expect(letter?.headers).toMatchObject({
      "X-Original-Topic": "fluxpay.payment.events",
      "X-Event-Id": broken.id,
    });
  });

  // The whole loop an operator goes through: bounce → dead letter → fix → replay → delivered once.
  it("permanent failure → dead letter → settings fixed → retry → delivered once to the new address", async () => {
    const badAddress = `bounce-dana-${runId}@example.com`; // the SMTP sink answers 550
    const goodAddress = `dana-${runId}@example.com`;
    await api.putSettings("dana", { email: badAddress, locale: "en" });
    const { events } = userEvents(tenant, "dana", ["order.created", "payment.approved"]);
    const payment = events.get("payment.approved");
    if (!payment) throw new Error("scenario has no payment");
    await publisher.publish([...events.values()].map((e) => [e, "structured"] as const));

    const [letter] = await eventually(async () => {
      const items = await api.deadLetters(payment.id);
      expect(items, logHint()).toHaveLength(1);
      return items;
    });
    expect(letter).toMatchObject({ channel: "EMAIL", status: "PENDING", domain: "payment" });
    expect(letter?.errorMessage).toMatch(/550|mailbox/i);
    const failed = await eventually(async () => {
      const history = await api.history("dana");
      const email = history.find((i) => i.eventId === payment.id && i.channel === "EMAIL");
      expect(email?.status).toBe("FAILED");
      return email;
    });
    expect(failed?.errorMessage).toBeTruthy();
    const failures = await api.failures();
    expect(failures.body.items.map((f) => f.eventId)).toContain(payment.id);
    await eventually(async () => expect(await emailTotals()).toEqual({ sentCount: 0, failedCount: 1 }));
    expect((await observed()).rcpt.filter((r) => r.address === badAddress)).toEqual([
      expect.objectContaining({ accepted: false }),
    ]);

    await api.putSettings("dana", { email: goodAddress, locale: "en" });
    const retried = await api.retryDeadLetter(letter?.id as string);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);

    await eventually(async () => {
      const { mail } = await observed();
      expect(mail.filter((m) => m.to.includes(goodAddress))).toHaveLength(1);
    });
    await eventually(async () => {
      const history = await api.history("dana");
      const emails = history.filter((i) => i.eventId === payment.id && i.channel === "EMAIL");
      expect(emails.map((e) => [e.status, e.recipient])).toContainEqual(["SENT", goodAddress]);
    });
    await eventually(async () => {
      const items = await api.deadLetters(payment.id);
      expect(items.map((i) => [i.id, i.status])).toEqual([[letter?.id, "RESOLVED"]]);
    });
    // The notification's final outcome is what the dashboard counts: sent, no longer failed.
    await eventually(async () => expect(await emailTotals()).toEqual({ sentCount: 1, failedCount: 0 }));
    // The console's timeline of the notification: the failure, then the replay's delivery.
    const timeline = await eventually(async () => {
      const view = await api.timeline(failed?.notificationId as string);
      expect(view.notification.status).toBe("SENT");
      return view.timeline;
    });
    expect(timeline.map((e) => [e.status, e.reasonCode])).toEqual([
      ["FAILED", expect.stringMatching(/550/)],
      ["SENT", null],
    ]);
    const { mail, rcpt } = await observed();
    const delivered = mail.filter((m) => m.to.includes(goodAddress));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.subject).toBe("[FluxPay] Payment approved");
    expect(mail.filter((m) => m.to.includes(badAddress))).toEqual([]);
    expect(rcpt.filter((r) => r.address === badAddress)).toHaveLength(1); // no blind retries of a 550
  });
});
