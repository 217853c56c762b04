import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { eventually, expect } from "@fluxnotify/shared/testing";
import { fluxpayEvent, saveSettings, startHarness } from "./harness";

test("a payment that arrives before its order is parked, then routed within a second of the order", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database });
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const orderId = `o-${randomUUID().slice(0, 8)}`;
    const paymentId = `p-${randomUUID().slice(0, 8)}`;
    await saveSettings(database, { tenantId: h.tenantId, userId, contacts: { EMAIL: "park@example.com" } });
    const payment = fluxpayEvent(h.tenantId, "com.fluxpay.payment.approved", {
      paymentId,
      orderId,
      amount: 1000,
      currency: "KRW",
    });
    // A refund that needs both links: payment → order → user.
    const refund = fluxpayEvent(h.tenantId, "com.fluxpay.refund.completed", {
      refundId: "r-9",
      paymentId,
      amount: 1000,
      currency: "KRW",
    });
    await h.publish("refund", refund.json);
    await h.publish("payment", payment.json);
    await eventually(async () => {
      const rows = await database.sql`select event_id from parked_events where tenant_id = ${h.tenantId}`;
      return rows.length === 2;
    });
    expect(h.commandsFor(payment.id)).toHaveLength(0);

    const order = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId,
      userId,
      totalAmount: 1000,
      currency: "KRW",
    });
    const orderPublished = Date.now();
    await h.publish("order", order.json);
    await eventually(
      () => h.commandsFor(payment.id).length === 2 && h.commandsFor(refund.id).length === 2,
      5_000,
      20,
    );
    expect(Date.now() - orderPublished).toBeLessThan(1_000);
    expect(h.commandsFor(refund.id).map((c) => c.recipient.userId)).toEqual([userId, userId]);
    // The release transaction deletes the parked rows when it commits, just after the
    // commands it published were acknowledged.
    await eventually(async () => {
      const parked = await database.sql`select event_id from parked_events where tenant_id = ${h.tenantId}`;
      return parked.length === 0;
    });
  } finally {
    await h.close();
  }
});

test("a payment whose order never arrives is dead-lettered after the deadline with the DLQ headers", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database }, { parkDeadlineMs: 1_500 });
  try {
    const orphan = fluxpayEvent(h.tenantId, "com.fluxpay.payment.failed", {
      paymentId: "p-orphan",
      orderId: `o-missing-${randomUUID().slice(0, 6)}`,
      amount: 5,
      currency: "KRW",
    });
    await h.publish("payment", orphan.json, { key: `${h.tenantId}:p-orphan` });
    await eventually(() => h.dlq.payment.messages.length === 1, 10_000);
    const dead = h.dlq.payment.messages[0];
    expect(dead?.key).toBe(`${h.tenantId}:p-orphan`);
    expect(dead?.value?.toString()).toBe(orphan.json);
    expect(dead?.headers).toMatchObject({
      [DLQ_HEADERS.errorCode]: "UNRESOLVABLE_RECIPIENT",
      [DLQ_HEADERS.retryCount]: "0",
      [DLQ_HEADERS.originalTopic]: h.topology.source.payment,
      [DLQ_HEADERS.originalOffset]: "0",
      [DLQ_HEADERS.eventId]: orphan.id,
    });
    expect(dead?.headers[DLQ_HEADERS.errorMessage]).toMatch(
      /recipient unresolvable after \d+ s: order o-missing-\w+ has not been seen yet/,
    );
    expect(Number.isNaN(Date.parse(dead?.headers[DLQ_HEADERS.failedAt] ?? ""))).toBe(false);
    expect(h.commandsFor(orphan.id)).toHaveLength(0);
    await eventually(async () => {
      const parked = await database.sql`select 1 from parked_events where event_id = ${orphan.id}`;
      return parked.length === 0;
    });
  } finally {
    await h.close();
  }
});
