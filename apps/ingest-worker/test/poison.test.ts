import { createHash, randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { collectTopic, compressingProducer, eventually, expect } from "@fluxnotify/shared/testing";
import { fluxpayEvent, startHarness } from "./harness";

/**
 * Records no store can hold, mixed with valid events on one partition: each is
 * dead-lettered exactly once with its reason, and the events behind it are routed.
 */
test("poison records of every class are dead-lettered once each and never stop the partition", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const originalsTopic = await kafka.createTopic("originals");
  const h = await startHarness(
    { kafka, logger, registry, database },
    { maxEventBytes: 256 * 1024, originalsTopic },
  );
  const originals = await collectTopic({
    connection: kafka.connection,
    topic: originalsTopic,
    logger,
    registry,
  });
  // FluxPay's producer compresses: a 2 MiB value the broker accepts, too large to dead-letter as it is.
  const compressing = compressingProducer({ kafka, logger, registry });
  try {
    const key = `${h.tenantId}:o-1`;
    const order = (fields: Record<string, unknown>) =>
      fluxpayEvent(h.tenantId, "com.fluxpay.order.created", {
        orderId: `o-${randomUUID().slice(0, 6)}`,
        userId: "u-1",
        totalAmount: 1,
        currency: "KRW",
        ...fields,
      });
    const nulTenant = order({});
    const nulUser = order({ userId: "u-\u0000-1" });
    const surrogate = order({ userId: "u-\ud800" });
    const notUtf8 = order({ userId: "u-XX" });
    const binaryBadHeader = order({});
    const huge = order({ pad: "x".repeat(2 * 1024 * 1024) });
    const good = [order({}), order({}), order({})];

    await h.publish("order", nulTenant.json.replace(`"tenantid":"${h.tenantId}"`, `"tenantid":"t\\u0000x"`), {
      key,
    });
    await h.publish("order", good[0]?.json ?? "", { key });
    await h.publish("order", nulUser.json, { key });
    await h.publish("order", surrogate.json.replace("u-\ud800", "u-\\ud800"), { key });
    // "XX" becomes 0xC3 0x28: not UTF-8. Lossy decoding would deliver "u-�(".
    const bytes = Buffer.from(notUtf8.json);
    const at = bytes.indexOf("u-XX") + 2;
    bytes[at] = 0xc3;
    bytes[at + 1] = 0x28;
    await h.publish("order", bytes, { key });
    await h.publish("order", good[1]?.json ?? "", { key });
    await h.publish("order", JSON.stringify(JSON.parse(binaryBadHeader.json).data), {
      key,
      headers: {
        ce_specversion: "1.0",
        ce_id: binaryBadHeader.id,
        ce_type: "com.fluxpay.order.created",
        ce_source: "fluxpay-engine",
        ce_tenantid: Buffer.from([0x74, 0xff, 0xfe]),
      },
    });
    await compressing.send([{ topic: h.topology.source.order, key, value: huge.json }]);
    await h.publish("order", good[2]?.json ?? "", { key });

    for (const event of good) await eventually(() => h.commandsFor(event.id).length > 0, 30_000);
    await eventually(() => h.dlq.order.messages.length >= 6, 30_000);
    // Give a duplicate time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const letters = h.dlq.order.messages;
    expect(letters).toHaveLength(6);
    const byId = new Map(letters.map((m) => [m.headers[DLQ_HEADERS.eventId], m]));
    const code = (id: string) => byId.get(id)?.headers[DLQ_HEADERS.errorCode];
    const reason = (id: string) => byId.get(id)?.headers[DLQ_HEADERS.errorMessage];

    // An envelope failure still names the event it belongs to.
    expect(code(nulTenant.id)).toBe("INVALID_ENVELOPE");
    expect(reason(nulTenant.id)).toMatch(/tenantid contains U\+0000/);
    expect(code(nulUser.id)).toBe("INVALID_DATA");
    expect(reason(nulUser.id)).toMatch(/data\.userId contains U\+0000/);
    expect(reason(surrogate.id)).toMatch(/data\.userId contains an unpaired UTF-16 surrogate/);
    expect(code(binaryBadHeader.id)).toBe("MALFORMED_ENCODING");
    expect(reason(binaryBadHeader.id)).toMatch(/header ce_tenantid is not valid UTF-8/);
    const notUtf8Letter = byId.get(notUtf8.id);
    expect(notUtf8Letter?.headers[DLQ_HEADERS.errorCode]).toBe("MALFORMED_ENCODING");
    expect(notUtf8Letter?.headers[DLQ_HEADERS.errorMessage]).toBe("value is not valid UTF-8");
    expect(notUtf8Letter?.value?.equals(bytes)).toBe(true); // the original bytes, not a lossy copy

    // Each header once, whatever its case.
    for (const letter of letters) {
      const names = Object.keys(letter.headers).map((name) => name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
    }

    // The oversized one: digest form in the DLQ, the original kept gzipped on the originals topic.
    const digest = letters.find((m) => m.headers[DLQ_HEADERS.valueReplaced] === "oversized");
    const sha256 = createHash("sha256").update(huge.json).digest("hex");
    expect(digest?.headers[DLQ_HEADERS.errorCode]).toBe("VALUE_TOO_LARGE");
    expect(digest?.headers[DLQ_HEADERS.valueSha256]).toBe(sha256);
    expect(digest?.headers[DLQ_HEADERS.valueBytes]).toBe(String(Buffer.byteLength(huge.json)));
    expect(digest?.headers[DLQ_HEADERS.originalKept]).toBe(originalsTopic);
    expect(JSON.parse(digest?.value?.toString() ?? "{}")).toMatchObject({ replaced: "oversized", sha256 });
    await eventually(() => originals.messages.length === 1);
    const kept = originals.messages[0];
    expect(kept?.key).toBe(sha256);
    expect(gunzipSync(kept?.value ?? Buffer.alloc(0)).toString()).toBe(huge.json);
  } finally {
    await compressing.close();
    await originals.stop();
    await h.close();
  }
});
