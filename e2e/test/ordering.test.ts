import { inAppChannel } from "@fluxnotify/shared/contracts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor } from "../src/api";
import { type Encoding, event, type FluxPayEvent, fluxpayPublisher } from "../src/fluxpay";
import { eventually, logHint, observed } from "../src/observe";
import { lines } from "../src/personas";
import { E2E, tenantsOf } from "../src/resources";
import { OCCURRED_AT, userEvents } from "../src/scenario";

const tenant = tenantsOf(inject("e2eRunId")).ordering;
const api = apiFor(tenant);
const email = `olga-${inject("e2eRunId")}@example.com`;
const publisher = fluxpayPublisher();
const { events } = userEvents(tenant, "olga", [
  "order.created",
  "payment.approved",
  "payment.failed",
  "refund.completed",
]);
const get = (type: Parameters<typeof events.get>[0]) => events.get(type) as FluxPayEvent;
// A payment whose order FluxPay never publishes.
const orphan = event(tenant, "payment.approved", {
  paymentId: "pay-orphan",
  orderId: "ord-never-published",
  amount: "num:1000.00",
  currency: "KRW",
  occurredAt: OCCURRED_AT,
});

/** ingest_events_total{outcome="parked"} summed over types, from the ingest worker's /metrics. */
async function parkedSoFar(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${E2E.ports["ingest-worker"]}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("ingest_events_total{") && line.includes('outcome="parked"'))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

beforeAll(async () => {
  await api.putSettings("olga", { email, locale: "en" });
});
afterAll(() => publisher.close());

describe("out-of-order events", () => {
  it("payments and refunds published before their order are delivered once the order arrives", async () => {
    const before = await parkedSoFar();
    const early: Array<[FluxPayEvent, Encoding]> = [
      [get("payment.approved"), "structured"],
      [get("payment.failed"), "binary"],
      [get("refund.completed"), "string-wrapped"],
      [orphan, "structured"],
    ];
    await publisher.publish(early);
    // Other files park events too, so this can only tell that at least as many were parked.
    await eventually(async () => expect(await parkedSoFar()).toBeGreaterThanOrEqual(before + early.length));
    expect(await api.history("olga"), "nothing is notified while the order is unknown").toEqual([]);

    const orderPublishedAt = Date.now();
    await publisher.publish([[get("order.created"), "binary"]]);

    await eventually(async () => {
      expect(lines(await api.history("olga")), logHint()).toEqual(
        lines([
          { type: "order.created", channel: "IN_APP", status: "SENT" },
          { type: "payment.approved", channel: "EMAIL", status: "SENT" },
          { type: "payment.approved", channel: "IN_APP", status: "SENT" },
          { type: "payment.failed", channel: "EMAIL", status: "SENT" },
          { type: "payment.failed", channel: "IN_APP", status: "SENT" },
          { type: "payment.failed", channel: "SLACK", status: "SKIPPED" }, // no Slack channel for this tenant
          { type: "refund.completed", channel: "EMAIL", status: "SENT" },
          { type: "refund.completed", channel: "IN_APP", status: "SENT" },
          // Olga registered no browser: PUSH is SKIPPED with NO_CONTACT_POINT.
          { type: "payment.approved", channel: "PUSH", status: "SKIPPED" },
          { type: "payment.failed", channel: "PUSH", status: "SKIPPED" },
          { type: "refund.completed", channel: "PUSH", status: "SKIPPED" },
        ]),
      );
    });
    const { mail, inapp } = await observed();
    const olgaMail = mail.filter((m) => m.to.includes(email));
    expect(olgaMail.map((m) => m.subject).sort()).toEqual([
      "[FluxPay] Payment approved",
      "[FluxPay] Payment failed",
      "[FluxPay] Refund completed",
    ]);
    expect(olgaMail.every((m) => m.at >= orderPublishedAt)).toBe(true);
    const olgaInApp = inapp.filter((m) => m.channel === inAppChannel("", tenant, "olga"));
    expect(olgaInApp).toHaveLength(4);
    expect(olgaInApp.every((m) => m.at >= orderPublishedAt)).toBe(true);
  });

  it("a payment whose order never arrives is dead-lettered as unresolvable after the deadline, not dropped", async () => {
    const [letter] = await eventually(async () => {
      const items = await api.deadLetters(orphan.id);
      expect(items).toHaveLength(1);
      return items;
    }, 60_000);
    expect(letter).toMatchObject({ domain: "payment", channel: null, eventId: orphan.id, status: "PENDING" });
    expect(letter?.errorMessage).toMatch(/unresolvable/i);
    expect(letter?.headers["X-Original-Topic"]).toBe("fluxpay.payment.events");
  });
});
