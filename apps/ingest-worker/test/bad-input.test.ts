import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS, settingsCacheKey } from "@fluxnotify/shared/contracts";
import { eventually, expect } from "@fluxnotify/shared/testing";
import { fluxpayEvent, saveSettings, startHarness } from "./harness";

test("malformed, invalid and oversized records are dead-lettered with a precise reason; unknown types are skipped; the partition keeps moving", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database }, { maxEventBytes: 4096 });
  try {
    const key = `${h.tenantId}:o-1`; // one key: everything lands on one partition, in order
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const noTenant = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId: "o-1",
      userId,
    }).json.replace(`"tenantid":"${h.tenantId}",`, "");
    const badData = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId: "o-1",
      totalAmount: "lots",
      currency: "KRW",
    });
    const unknown = fluxpayEvent(h.tenantId, "com.fluxpay.order.archived", { orderId: "o-1" });
    const good = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId: "o-1",
      userId,
      totalAmount: 1,
      currency: "KRW",
    });
    await h.publish("order", "{not json", { key });
    await h.publish("order", noTenant, { key });
    await h.publish("order", badData.json, { key });
    await h.publish("order", `{"pad":"${"x".repeat(5000)}"}`, { key });
    await h.publish("order", unknown.json, { key });
    await h.publish("order", good.json, { key });

    await eventually(() => h.commandsFor(good.id).length === 1);
    await eventually(() => h.dlq.order.messages.length === 4);
    const reasons = h.dlq.order.messages.map((m) => [
      m.headers[DLQ_HEADERS.errorCode],
      m.headers[DLQ_HEADERS.errorMessage],
    ]);
    expect(reasons[0]).toEqual(["MALFORMED_JSON", expect.stringMatching(/^value is not valid JSON/)]);
    expect(reasons[1]).toEqual(["INVALID_ENVELOPE", "missing required attribute tenantid"]);
    expect(reasons[2]?.[0]).toBe("INVALID_DATA");
    expect(reasons[2]?.[1]).toMatch(/data\.userId.*data\.totalAmount: must be a decimal number/);
    expect(reasons[3]).toEqual(["VALUE_TOO_LARGE", expect.stringMatching(/over the 4096-byte limit/)]);
    for (const [index, message] of h.dlq.order.messages.entries()) {
      expect(message.key).toBe(key);
      expect(message.headers[DLQ_HEADERS.originalTopic]).toBe(h.topology.source.order);
      expect(message.headers[DLQ_HEADERS.originalOffset]).toBe(String(index));
      expect(message.headers[DLQ_HEADERS.retryCount]).toBe("0");
    }
    expect(h.dlq.order.messages[2]?.headers[DLQ_HEADERS.eventId]).toBe(badData.id);
    expect(h.commandsFor(unknown.id)).toHaveLength(0);
    expect(h.deliveriesFor(unknown.id)).toHaveLength(0);
  } finally {
    await h.close();
  }
});

test("all three CloudEvents encodings are routed", async ({ kafka, logger, registry, database }) => {
  const h = await startHarness({ kafka, logger, registry, database });
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const structured = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId: "o-a",
      userId,
      totalAmount: 1,
      currency: "KRW",
    });
    const wrapped = fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
      orderId: "o-b",
      userId,
      totalAmount: 2,
      currency: "KRW",
    });
    const binaryId = randomUUID();
    await h.publish("order", structured.json);
    await h.publish("order", JSON.stringify(wrapped.json), { headers: { __TypeId__: "java.lang.String" } });
    await h.publish(
      "order",
      JSON.stringify({
        eventId: binaryId,
        orderId: "o-c",
        userId,
        totalAmount: 3,
        currency: "KRW",
        occurredAt: new Date().toISOString(),
      }),
      {
        headers: {
          ce_specversion: "1.0",
          ce_id: binaryId,
          ce_type: "com.fluxpay.order.created",
          ce_source: "fluxpay-engine",
          ce_tenantid: h.tenantId,
          ce_time: new Date().toISOString(),
        },
      },
    );
    for (const id of [structured.id, wrapped.id, binaryId])
      await eventually(() => h.commandsFor(id).length === 1);
  } finally {
    await h.close();
  }
});

test("a settings change is honoured for the next event", async ({ kafka, logger, registry, database }) => {
  const h = await startHarness({ kafka, logger, registry, database });
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const sub = { subscriptionId: "s-1", userId, planName: "Pro" };
    await saveSettings(database, { tenantId: h.tenantId, userId, contacts: { EMAIL: "before@example.com" } });
    const first = fluxpayEvent(h.tenantId, "com.fluxpay.subscription.created", sub);
    await h.publish("subscription", first.json);
    await eventually(() => h.commandsFor(first.id).length === 1);
    expect(h.commandsFor(first.id)[0]?.destination).toBe("before@example.com");

    // What query-api does on PUT: store, then invalidate the cache entry.
    await saveSettings(database, {
      tenantId: h.tenantId,
      userId,
      contacts: { EMAIL: "after@example.com" },
      channels: { EMAIL: false },
    });
    await h.redis.del(settingsCacheKey(h.tenantId, userId));
    const second = fluxpayEvent(h.tenantId, "com.fluxpay.subscription.created", sub);
    await h.publish("subscription", second.json);
    await eventually(() => h.deliveriesFor(second.id).length === 1);
    expect(h.commandsFor(second.id)).toHaveLength(0);
    expect(h.deliveriesFor(second.id)[0]).toMatchObject({
      status: "SKIPPED",
      reasonCode: "CHANNEL_DISABLED",
      channel: "EMAIL",
    });

    await saveSettings(database, { tenantId: h.tenantId, userId, contacts: {}, channels: {} });
    await h.redis.del(settingsCacheKey(h.tenantId, userId));
    const third = fluxpayEvent(h.tenantId, "com.fluxpay.subscription.created", sub);
    await h.publish("subscription", third.json);
    await eventually(() => h.deliveriesFor(third.id).length === 1);
    expect(h.deliveriesFor(third.id)[0]).toMatchObject({
      status: "SKIPPED",
      reasonCode: "NO_CONTACT_POINT",
      recipient: null,
    });
  } finally {
    await h.close();
  }
});
