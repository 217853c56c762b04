import { randomBytes, randomUUID } from "node:crypto";
import type { Sql } from "@fluxnotify/db";
import type { AppSpec } from "@fluxnotify/platform";
import {
  commandTopic,
  DELIVERY_EVENTS_TOPIC,
  DLQ_HEADERS,
  dlqTopic,
  fluxpayTopic,
} from "@fluxnotify/shared/contracts";
import { createProducer, type KafkaConnection, type OutgoingMessage } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import { fluxpayEvent } from "@fluxnotify/shared/testing/fluxpay";

/**
 * Poison records of every class issue 11 names, for bin/faults' poison scenario: records
 * no store can hold, bytes that are not UTF-8, envelopes without a tenant, values too large
 * to dead-letter as they are, amounts and times out of range, and the same classes on our
 * own topics (commands, delivery events, a dead-letter topic). Each carries a unique key,
 * which every dead letter keeps: the scenario checks each key was dead-lettered exactly once.
 */
export interface PoisonRecord {
  key: string;
  label: string;
  record: OutgoingMessage;
  /** Values over the broker's 1 MiB limit, which FluxPay's producer gets in compressed. */
  compressed?: boolean;
}

export function poisonRecords(runId: string, tenantId: string): PoisonRecord[] {
  const records: PoisonRecord[] = [];
  const add = (label: string, build: (key: string) => Omit<OutgoingMessage, "key">, compressed = false) => {
    const key = `poison-${runId}-${String(records.length).padStart(2, "0")}`;
    records.push({ key, label, record: { ...build(key), key }, compressed });
  };
  const event = (type: string, data: Record<string, unknown>) =>
    fluxpayEvent(tenantId, type, { orderId: `o-${randomUUID()}`, ...data }).json;
  const payment = (data: Record<string, unknown>) =>
    event("com.fluxpay.payment.approved", {
      paymentId: `p-${randomUUID()}`,
      amount: 1000,
      currency: "KRW",
      ...data,
    });
  const order = (data: Record<string, unknown>) =>
    event("com.fluxpay.order.created", { userId: "u-1", totalAmount: 1, currency: "KRW", ...data });

  add("NUL in tenantid", () => ({
    topic: fluxpayTopic("payment"),
    value: payment({}).replace(`"tenantid":"${tenantId}"`, '"tenantid":"t\\u0000x"'),
  }));
  add("NUL in order.created userId", () => ({
    topic: fluxpayTopic("order"),
    value: order({}).replace('"userId":"u-1"', '"userId":"u-\\u0000"'),
  }));
  add("unpaired surrogate in userId", () => ({
    topic: fluxpayTopic("order"),
    value: order({}).replace('"userId":"u-1"', '"userId":"u-\\ud800"'),
  }));
  add("bytes that are not UTF-8", () => {
    const bytes = Buffer.from(order({ userId: "u-XX" }));
    const at = bytes.indexOf("u-XX") + 2;
    bytes[at] = 0xc3;
    bytes[at + 1] = 0x28;
    return { topic: fluxpayTopic("order"), value: bytes };
  });
  add("binary mode, ce_tenantid not UTF-8", () => ({
    topic: fluxpayTopic("payment"),
    value: JSON.stringify({
      paymentId: "p-1",
      orderId: "o-1",
      amount: 1,
      currency: "KRW",
      occurredAt: new Date().toISOString(),
      eventId: randomUUID(),
    }),
    headers: {
      ce_specversion: "1.0",
      ce_id: randomUUID(),
      ce_type: "com.fluxpay.payment.approved",
      ce_source: "fluxpay-engine",
      ce_tenantid: Buffer.from([0x74, 0xff, 0xfe]),
    },
  }));
  add("missing tenantid", () => ({
    topic: fluxpayTopic("refund"),
    value: event("com.fluxpay.refund.failed", {
      refundId: "r-1",
      paymentId: "p-1",
      errorMessage: "x",
    }).replace(`"tenantid":"${tenantId}",`, ""),
  }));
  add(
    "2 MiB value (compressed by the producer)",
    () => ({ topic: fluxpayTopic("order"), value: order({ pad: "x".repeat(2 * 1024 * 1024) }) }),
    true,
  );
  add("400-digit amount", () => ({
    topic: fluxpayTopic("payment"),
    value: payment({}).replace('"amount":1000', `"amount":${"9".repeat(400)}`),
  }));
  add("1E+999999 amount", () => ({
    topic: fluxpayTopic("payment"),
    value: payment({}).replace('"amount":1000', '"amount":1E+999999'),
  }));
  add("impossible date", () => ({
    topic: fluxpayTopic("subscription"),
    value: event("com.fluxpay.subscription.expiring", {
      subscriptionId: "s-1",
      userId: "u-1",
      planName: "Pro",
      expiresAt: "2026-02-30T00:00:00Z",
    }),
  }));
  add("id longer than any index entry", () => ({
    topic: fluxpayTopic("order"),
    value: order({ orderId: "o".repeat(3_000) }),
  }));
  add("command that is not JSON", () => ({ topic: commandTopic("EMAIL"), value: "{not json" }));
  add(
    "command too large to dead-letter as it is",
    () => ({
      topic: commandTopic("SLACK"),
      value: `{"v":1,"domain":"order","pad":"${"x".repeat(1_500_000)}"}`,
    }),
    true,
  );
  const delivery = (fields: Record<string, unknown>) =>
    JSON.stringify({
      v: 1,
      notificationId: randomUUID(),
      status: "SENT",
      channel: "EMAIL",
      tenantId,
      userId: "u-1",
      eventId: randomUUID(),
      eventType: "com.fluxpay.order.created",
      recipient: "k***@example.com",
      createdAt: new Date().toISOString(),
      at: new Date().toISOString(),
      ...fields,
    });
  add("delivery event with NUL in its recipient", () => ({
    topic: DELIVERY_EVENTS_TOPIC,
    value: delivery({}).replace('"k***@example.com"', '"k\\u0000@example.com"'),
  }));
  add("delivery event only the database can refuse (SQLSTATE 54000)", () => ({
    topic: DELIVERY_EVENTS_TOPIC,
    // Random, so the index entry cannot be compressed under the btree limit.
    value: delivery({ notificationId: randomBytes(5_000).toString("base64") }),
  }));
  add("dead letter with garbled headers", () => ({
    topic: dlqTopic("refund"),
    value: "{}",
    headers: { [DLQ_HEADERS.originalPartition]: "9".repeat(40), [DLQ_HEADERS.failedAt]: "yesterday" },
  }));
  return records;
}

/** Produces poison records (the oversized ones through a compressing producer, as FluxPay would). */
export function poisonProducer(context: { connection: KafkaConnection; logger: Logger; registry: Registry }) {
  const plain = createProducer({ ...context });
  const compressing = createProducer({ ...context, compression: "gzip", maxRecordBytes: 8 * 1024 * 1024 });
  return {
    send: (poison: PoisonRecord) => (poison.compressed ? compressing : plain).send([poison.record]),
    close: () => Promise.all([plain.close(), compressing.close()]).then(() => {}),
  };
}

export interface PoisonReport {
  records: number;
  /** Keys whose dead letter was stored exactly once. */
  deadLetteredOnce: number;
  missing: string[];
  duplicated: string[];
  /** Partitions any app reported stalled (kafka_consumer_partition_stalled 1) at the end. */
  stalled: string[];
}

/** Counts dlq-admin's stored dead letters per poison key, and asks every app for stalls. */
export async function checkPoison(sql: Sql, records: PoisonRecord[], apps: AppSpec[]): Promise<PoisonReport> {
  const rows = await sql<{ key: string; count: number }[]>`
    select key, count(*)::int as count from dlq_messages
    where key = any(${records.map((r) => r.key)}) group by key`;
  const counts = new Map(rows.map((row) => [row.key, row.count]));
  const labelled = (key: string) => `${key} (${records.find((r) => r.key === key)?.label})`;
  const stalled: string[] = [];
  for (const app of apps) {
    const text = await fetch(`http://127.0.0.1:${app.port}/metrics`)
      .then((response) => response.text())
      .catch(() => "");
    for (const line of text.split("\n")) {
      if (line.startsWith("kafka_consumer_partition_stalled{") && line.endsWith(" 1"))
        stalled.push(`${app.name}: ${line}`);
    }
  }
  return {
    records: records.length,
    deadLetteredOnce: records.filter((r) => counts.get(r.key) === 1).length,
    missing: records.filter((r) => !counts.has(r.key)).map((r) => labelled(r.key)),
    duplicated: records.filter((r) => (counts.get(r.key) ?? 0) > 1).map((r) => labelled(r.key)),
    stalled,
  };
}
