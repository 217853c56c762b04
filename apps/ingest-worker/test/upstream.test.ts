import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { eventually, expect } from "@fluxnotify/shared/testing";
import { loadIngestEnv } from "../src/env";
import { fluxpayEvent, saveSettings, startHarness } from "./harness";

test("FluxPay's real upstream: any JSON number kept exact, RFC 3339 times to the nanosecond, out-of-range amounts and impossible dates dead-lettered", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database });
  try {
    const key = `${h.tenantId}:o-1`; // one partition, in order: the bad ones must not stop the rest
    const order = (data: Record<string, unknown>) =>
      fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
        orderId: `o-${randomUUID().slice(0, 8)}`,
        userId: `u-${randomUUID().slice(0, 8)}`,
        currency: "KRW",
        ...data,
      });
    const accepted = [
      [order({ totalAmount: "num:1.5E+4" }), "15000"],
      [order({ totalAmount: "num:1.5e4" }), "15000"],
      [order({ totalAmount: "num:15000.00" }), "15000.00"],
      [order({ totalAmount: "num:150E-2" }), "1.50"],
      [order({ totalAmount: "num:-0" }), "0"],
      [order({ totalAmount: `num:${"9".repeat(38)}` }), "9".repeat(38)],
    ] as const;
    const nanos = order({ totalAmount: 1, occurredAt: "2026-02-04T19:30:00.123456789+09:00" });
    const rejected = [
      [
        order({ totalAmount: `num:${"1".repeat(400)}` }),
        /data\.totalAmount: has 400 digits; an amount may have at most 38/,
      ],
      [order({ totalAmount: "num:1E+999999" }), /data\.totalAmount: has 1000000 digits/],
      [
        order({ totalAmount: 1, occurredAt: "2026-02-30T10:30:00Z" }),
        /data\.occurredAt: has day 30, which 2026-02/,
      ],
    ] as const;
    for (const [event] of [...rejected, ...accepted]) await h.publish("order", event.json, { key });
    await h.publish("order", nanos.json, { key });

    for (const [event, amount] of accepted) {
      await eventually(() => h.commandsFor(event.id).length === 1);
      expect(h.commandsFor(event.id)[0]?.templateData.totalAmount).toBe(amount);
    }
    await eventually(() => h.commandsFor(nanos.id).length === 1);
    expect(h.commandsFor(nanos.id)[0]?.occurredAt).toBe("2026-02-04T10:30:00.123456789Z");
    expect(h.commandsFor(nanos.id)[0]?.templateData.occurredAt).toBe("2026-02-04T10:30:00.123456789Z");

    await eventually(() => h.dlq.order.messages.length === rejected.length);
    for (const [index, [event, reason]] of rejected.entries()) {
      const letter = h.dlq.order.messages[index];
      expect(letter?.headers[DLQ_HEADERS.eventId]).toBe(event.id);
      expect(letter?.headers[DLQ_HEADERS.errorCode]).toBe("INVALID_DATA");
      expect(letter?.headers[DLQ_HEADERS.errorMessage]).toMatch(reason);
      expect(letter?.value?.toString()).toBe(event.json); // the original, byte for byte
    }
  } finally {
    await h.close();
  }
});

test("the tenant id __default__ is a tenant like any other: resolved, routed, its channel named and its SLACK_WEBHOOK_URL___default__ found", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const opsWebhook = "https://hooks.slack.com/services/T0/B0/default-tenant";
  // An operator may write the variable in the tenant's own case; the env rule normalises it.
  const { tenantWebhooks } = loadIngestEnv({ SLACK_WEBHOOK_URL___default__: opsWebhook });
  const h = await startHarness({ kafka, logger, registry, database }, { tenantWebhooks });
  try {
    const tenant = "__default__";
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const orderId = `o-${randomUUID().slice(0, 8)}`;
    const paymentId = `p-${randomUUID().slice(0, 8)}`;
    await saveSettings(database, { tenantId: tenant, userId, contacts: { EMAIL: "default@example.com" } });
    const order = fluxpayEvent(tenant, "com.fluxpay.order.created", {
      orderId,
      userId,
      totalAmount: "num:23500.50",
      currency: "KRW",
    });
    const failed = fluxpayEvent(tenant, "com.fluxpay.payment.failed", {
      paymentId,
      orderId,
      amount: "num:2.350050E+4",
      currency: "KRW",
      errorMessage: "card declined",
    });
    await h.publish("order", order.json, { key: `${tenant}:${orderId}` });
    await h.publish("payment", failed.json, { key: `${tenant}:${paymentId}` });

    await eventually(() => h.commandsFor(failed.id).length === 3);
    const commands = h.commandsFor(failed.id);
    expect(Object.fromEntries(commands.map((c) => [c.channel, c.destination]))).toEqual({
      EMAIL: "default@example.com",
      IN_APP: `notifications:__default__:${userId}`, // CONTRACT §5, the tenant id as it is
      SLACK: opsWebhook,
    });
    for (const command of commands) {
      expect(command).toMatchObject({ tenantId: tenant, recipient: { userId } });
      expect(command.key).toBe(`${tenant}:${userId}`);
      expect(command.templateData.amount).toBe("23500.50");
    }
    // Commands only (their workers report), and PUSH skipped: this user registered no device.
    expect(h.deliveriesFor(failed.id).map((d) => [d.channel, d.status, d.reasonCode])).toEqual([
      ["PUSH", "SKIPPED", "NO_CONTACT_POINT"],
    ]);
  } finally {
    await h.close();
  }
});
