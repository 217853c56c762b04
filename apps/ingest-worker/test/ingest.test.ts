import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import type { Channel } from "@fluxnotify/shared/contracts";
import { eventually, expect } from "@fluxnotify/shared/testing";
import { fluxpayEvent, type Harness, saveSettings, startHarness } from "./harness";

const opsWebhook = "https://hooks.slack.com/services/T000/B000/ops";

/** Publishes the order that makes `userId` the owner of `orderId`, and its payment mapping. */
async function seedOrderAndPayment(h: Harness, userId: string) {
  const orderId = `o-${randomUUID().slice(0, 8)}`;
  const paymentId = `p-${randomUUID().slice(0, 8)}`;
  const order = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
    orderId,
    userId,
    totalAmount: 15000.0,
    currency: "KRW",
  });
  await h.publish("order", order.json, { key: `${h.tenantId}:${orderId}` });
  await eventually(() => h.commandsFor(order.id).length === 1);
  return { orderId, paymentId, orderEventId: order.id };
}

test("every event type produces the commands and delivery events of its route", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database }, {});
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    await database.db.execute(
      `insert into tenants (tenant_id, slack_webhook_url) values ('${h.tenantId}', '${opsWebhook}')`,
    );
    await saveSettings(database, {
      tenantId: h.tenantId,
      userId,
      contacts: { EMAIL: "kim@example.com" },
      locale: "en",
    });
    // One registered device: PUSH is one command per device (CONTRACT §2/§4).
    const [device] = await database.sql<{ id: string }[]>`
      insert into push_subscriptions (tenant_id, user_id, type, address, label)
      values (${h.tenantId}, ${userId}, 'fcm', ${`token-${userId}`}, 'Phone') returning id::text as id`;
    const { orderId, paymentId } = await seedOrderAndPayment(h, userId);
    const payment = { paymentId, orderId, amount: "num:15000.00", currency: "KRW" };
    const refund = { refundId: "r-1", paymentId };
    const sub = { subscriptionId: "s-1", userId, planName: "Pro" };
    const cases: Array<[string, string, Record<string, unknown>, string[]]> = [
      [
        "payment",
        "com.fluxpay.payment.approved",
        { ...payment, pgPaymentKey: "tgen_1" },
        ["EMAIL", "IN_APP", "PUSH"],
      ],
      [
        "payment",
        "com.fluxpay.payment.failed",
        { ...payment, errorMessage: "card declined" },
        ["EMAIL", "IN_APP", "PUSH", "SLACK"],
      ],
      [
        "order",
        "com.fluxpay.order.status-changed",
        { orderId, fromStatus: "PENDING", toStatus: "PAID" },
        ["IN_APP"],
      ],
      ["refund", "com.fluxpay.refund.requested", { ...refund, amount: 5000, currency: "KRW" }, []],
      [
        "refund",
        "com.fluxpay.refund.completed",
        { ...refund, amount: 5000, currency: "KRW" },
        ["EMAIL", "IN_APP", "PUSH"],
      ],
      [
        "refund",
        "com.fluxpay.refund.failed",
        { ...refund, errorMessage: "PG timeout" },
        ["EMAIL", "IN_APP", "PUSH", "SLACK"],
      ],
      ["subscription", "com.fluxpay.subscription.created", { ...sub }, ["EMAIL"]],
      [
        "subscription",
        "com.fluxpay.subscription.renewed",
        { ...sub, amount: 9900, currency: "KRW", currentPeriodEnd: "2026-12-01T00:00:00Z" },
        ["EMAIL"],
      ],
      ["subscription", "com.fluxpay.subscription.cancelled", { ...sub }, ["EMAIL"]],
      [
        "subscription",
        "com.fluxpay.subscription.expiring",
        { ...sub, expiresAt: "2026-12-01T00:00:00Z" },
        ["EMAIL", "IN_APP", "PUSH"],
      ],
    ];
    const published = [];
    for (const [domain, type, data, channels] of cases) {
      const event = fluxpayEvent(h.tenantId, type, data);
      await h.publish(domain as "payment", event.json, { key: `${h.tenantId}:${orderId}` });
      published.push({ event, type, channels });
    }
    for (const { event, type, channels } of published) {
      // SLACK goes to the tenant's operations webhook (the user set none).
      await eventually(() => h.commandsFor(event.id).length === channels.length, 15_000);
      const commands = h.commandsFor(event.id);
      expect(commands.map((c) => c.channel).sort(), type).toEqual(channels);
      // A command opens nothing in the read model: its worker's SENT or FAILED does.
      expect(h.deliveriesFor(event.id)).toEqual([]);
      expect(commands.every((c) => c.recipient.userId === userId)).toBe(true);
      for (const command of commands) {
        expect(command).toMatchObject({
          tenantId: h.tenantId,
          eventType: type,
          recipient: { userId, locale: "en" },
        });
        expect(command.key).toBe(`${h.tenantId}:${userId}`);
        const expectedDestination: Partial<Record<Channel, string>> = {
          EMAIL: "kim@example.com",
          SLACK: opsWebhook,
          IN_APP: `notifications:${h.tenantId}:${userId}`,
          PUSH: device?.id ?? "",
        };
        expect(command.destination).toBe(expectedDestination[command.channel]);
      }
    }
    const approved = h.commandsFor(published[0]?.event.id ?? "")[0];
    expect(approved?.templateData).toMatchObject({
      amount: "15000.00",
      currency: "KRW",
      pgPaymentKey: "tgen_1",
    });
    // The Slack command goes to the tenant's operations webhook.
    const slack = h.commandsFor(published[1]?.event.id ?? "").find((c) => c.channel === "SLACK");
    expect(new URL(slack?.destination ?? "").host).toBe("hooks.slack.com");
  } finally {
    await h.close();
  }
});

test("a redelivered event and a whole-topic replay produce no new command", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database });
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    await saveSettings(database, { tenantId: h.tenantId, userId, contacts: { EMAIL: "lee@example.com" } });
    const { orderId, paymentId } = await seedOrderAndPayment(h, userId);
    const approved = fluxpayEvent(h.tenantId, "com.fluxpay.payment.approved", {
      paymentId,
      orderId,
      amount: 100,
      currency: "KRW",
    });
    // FluxPay's outbox relay re-sent it; unkeyed, so the copies may land on different
    // partitions and be handled at the same moment.
    await h.publish("payment", approved.json);
    await h.publish("payment", approved.json);
    await eventually(() => h.commandsFor(approved.id).length === 2);
    await h.worker.stop(2_000);

    // Replay every source topic from the beginning with fresh consumer groups.
    const replayGroups = Object.fromEntries(
      Object.keys(h.topology.groups).map((d) => [d, kafka.groupId(`replay-${d}`)]),
    );
    const replay = await startHarness(
      { kafka, logger, registry, database },
      {
        topology: { ...h.topology, groups: replayGroups as typeof h.topology.groups },
      },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(replay.commands.EMAIL.messages.length + replay.commands.IN_APP.messages.length).toBe(
        h.commands.EMAIL.messages.length + h.commands.IN_APP.messages.length,
      );
      expect(h.commandsFor(approved.id)).toHaveLength(2);
      // Only what ingest itself reports: PUSH skipped, the user registered no device.
      expect(h.deliveriesFor(approved.id).map((d) => [d.channel, d.status, d.reasonCode])).toEqual([
        ["PUSH", "SKIPPED", "NO_CONTACT_POINT"],
      ]);
    } finally {
      await replay.close();
    }
  } finally {
    await h.close();
  }
});
