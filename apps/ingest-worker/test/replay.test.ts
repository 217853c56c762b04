import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS, REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import { collectTopic, eventually, expect } from "@fluxnotify/shared/testing";
import { fluxpayEvent, saveSettings, startHarness } from "./harness";

test("a dead-lettered payment replayed on the replay topic is routed once its order is known, tagged with X-Replay-Of", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database }, { parkDeadlineMs: 1_000 });
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const orderId = `o-${randomUUID().slice(0, 8)}`;
    await saveSettings(database, { tenantId: h.tenantId, userId, contacts: { EMAIL: "lee@example.com" } });
    const payment = fluxpayEvent(h.tenantId, "com.fluxpay.payment.approved", {
      paymentId: "p-late",
      orderId,
      amount: "num:15000.00",
      currency: "KRW",
    });
    await h.publish("payment", payment.json, { key: `${h.tenantId}:p-late` });
    await eventually(() => h.dlq.payment.messages.length === 1, 10_000);
    const dead = h.dlq.payment.messages[0];
    if (!dead) throw new Error("no dead letter");

    const order = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId,
      userId,
      totalAmount: 15000,
      currency: "KRW",
    });
    await h.publish("order", order.json, { key: `${h.tenantId}:${orderId}` });
    await eventually(() => h.commandsFor(order.id).length === 1);

    // What dlq-admin produces: the original record without the dead-letter headers, plus its id.
    const headers = Object.fromEntries(
      Object.entries(dead.headers).filter(([name]) => !Object.values(DLQ_HEADERS).includes(name as never)),
    );
    const replay = {
      topic: h.topology.replay.payment,
      key: dead.key,
      value: dead.value ?? Buffer.alloc(0),
      headers: { ...headers, [REPLAY_HEADERS.of]: "4242", [REPLAY_HEADERS.count]: "1" },
    };
    await h.producer.send([replay]);
    await eventually(() => h.commandsFor(payment.id).length === 2);
    const channels = h.commandsFor(payment.id).map((command) => command.channel);
    expect(channels.sort()).toEqual(["EMAIL", "IN_APP"]);
    const tagged = (messages: typeof h.deliveries.messages) =>
      messages.filter((m) => m.headers["x-event-id"] === payment.id);
    const commandRecords = [...h.commands.EMAIL.messages, ...h.commands.IN_APP.messages];
    expect(tagged(commandRecords).map((m) => m.headers[REPLAY_HEADERS.of])).toEqual(["4242", "4242"]);
    // PENDING for each command (a replay announces them) and PUSH skipped (no device).
    await eventually(() => tagged(h.deliveries.messages).length === 3);
    expect(tagged(h.deliveries.messages).every((m) => m.headers[REPLAY_HEADERS.of] === "4242")).toBe(true);
    // dlq-admin learns the outcome from copies of those delivery events.
    const outcomes = await collectTopic({
      connection: kafka.connection,
      topic: h.topology.replayOutcomes,
      logger,
      registry,
    });
    await eventually(() => outcomes.messages.length === 3);
    await outcomes.stop();
    expect(outcomes.messages.map((m) => m.headers[REPLAY_HEADERS.of])).toEqual(["4242", "4242", "4242"]);

    // Replaying it again is absorbed by the event-id claim: nothing new is produced.
    await h.producer.send([{ ...replay, headers: { ...replay.headers, [REPLAY_HEADERS.count]: "2" } }]);
    const marker = fluxpayEvent(h.tenantId, "com.fluxpay.order.status-changed", {
      orderId,
      userId,
      fromStatus: "PENDING",
      toStatus: "PAID",
    });
    // Same key and partition as the replay: once the marker is routed, the replay was handled.
    await h.producer.send([{ topic: h.topology.replay.payment, key: dead.key, value: marker.json }]);
    await eventually(() => h.commandsFor(marker.id).length === 1);
    expect(h.commandsFor(payment.id)).toHaveLength(2);
    expect(h.dlq.payment.messages).toHaveLength(1);
  } finally {
    await h.close();
  }
});
