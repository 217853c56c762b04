import { randomUUID } from "node:crypto";
import type { Database } from "@fluxnotify/db";
import { type DeliveryEvent, DOMAINS } from "@fluxnotify/shared/contracts";
import { type ConsumedMessage, createDeadLetterWriter, createProducer } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import { collectTopic, type KafkaFixture, type TopicCollector } from "@fluxnotify/shared/testing";
import { sql } from "drizzle-orm";
import { createProjector, projectionMetrics } from "../src/projection/projector";

export const uniqueTenant = (prefix = "t") => `${prefix}-${randomUUID().slice(0, 8)}`;

export function deliveryEvent(
  overrides: Partial<DeliveryEvent> & Pick<DeliveryEvent, "notificationId" | "tenantId">,
): DeliveryEvent {
  return {
    v: 1,
    status: "PENDING",
    channel: "EMAIL",
    userId: "user-1",
    eventId: `evt-${overrides.notificationId}`,
    eventType: "com.fluxpay.payment.approved",
    recipient: "kim@example.com",
    createdAt: "2026-02-04T10:30:00.000Z",
    at: "2026-02-04T10:30:00.000Z",
    ...overrides,
  };
}

/** A consumed record carrying `event` (or raw bytes), as the runner hands it to the projector. */
export function consumed(event: DeliveryEvent | string, offset = 0n): ConsumedMessage {
  const value = typeof event === "string" ? event : JSON.stringify(event);
  return {
    topic: "test.delivery",
    partition: 0,
    offset,
    key: typeof event === "string" ? undefined : event.notificationId,
    value: Buffer.from(value),
    headers: {},
    timestamp: new Date(),
  };
}

export function directProjector(db: Database, logger: Logger, registry: Registry) {
  return createProjector({ db, logger, metrics: projectionMetrics(registry), defaultTimeZone: "Asia/Seoul" });
}

/**
 * The read-model tables for the given tenants in a stable order: every column of the log
 * and the stats, the timeline without its surrogate id and insertion time.
 */
export async function snapshot(db: Database, tenants: string[]) {
  const log = await db.execute(
    sql`select * from notification_log where tenant_id = any(${sql.param(tenants)}::text[]) order by notification_id`,
  );
  const stats = await db.execute(
    sql`select * from delivery_stats where tenant_id = any(${sql.param(tenants)}::text[]) order by tenant_id, date, channel`,
  );
  const timeline = await db.execute(sql`
    select e.notification_id, e.status, e.status_at, e.attempts, e.reason_code, e.error_message, e.latency_ms
    from notification_events e join notification_log l on l.notification_id = e.notification_id
    where l.tenant_id = any(${sql.param(tenants)}::text[])
    order by e.notification_id, e.status_at, e.status, e.attempts nulls first`);
  return { log: [...log], stats: [...stats], timeline: [...timeline] };
}

/** delivery_stats as it should be, recomputed from notification_log (same day cut). */
export async function derivedStats(db: Database, tenants: string[]) {
  const rows = await db.execute(sql`
    select l.tenant_id, (l.created_at at time zone coalesce(t.time_zone, 'Asia/Seoul'))::date::text as date, l.channel,
      count(*) filter (where status = 'SENT')::int as sent, count(*) filter (where status = 'FAILED')::int as failed,
      count(*) filter (where status = 'SKIPPED')::int as skipped
    from notification_log l left join tenants t on t.tenant_id = l.tenant_id
    where l.tenant_id = any(${sql.param(tenants)}::text[]) and l.status <> 'PENDING'
    group by 1, 2, 3 order by 1, 2, 3`);
  return [...rows];
}

export async function storedStats(db: Database, tenants: string[]) {
  const rows = await db.execute(sql`
    select tenant_id, date::text as date, channel, sent_count as sent, failed_count as failed, skipped_count as skipped
    from delivery_stats where tenant_id = any(${sql.param(tenants)}::text[])
      and (sent_count, failed_count, skipped_count) <> (0, 0, 0)
    order by 1, 2, 3`);
  return [...rows];
}

/**
 * Dead-letter topics for a projection under test (`{prefix}{domain}`, unique per test), a
 * writer for them, and a collector on the payment one (where unreadable records land).
 */
export async function projectionDeadLetters(kafka: KafkaFixture, logger: Logger, registry: Registry) {
  const topicPrefix = `test.dlq.${randomUUID().slice(0, 8)}.`;
  await kafka.admin.ensureTopics(
    DOMAINS.map((domain) => ({ name: `${topicPrefix}${domain}`, partitions: 1 })),
  );
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  const payment: TopicCollector = await collectTopic({
    connection: kafka.connection,
    topic: `${topicPrefix}payment`,
    logger,
    registry,
  });
  return {
    deadLetters: { writer: createDeadLetterWriter({ producer, logger }), topicPrefix },
    payment,
    async close() {
      await payment.stop();
      await producer.close();
      await kafka.admin.deleteTopics(DOMAINS.map((domain) => `${topicPrefix}${domain}`)).catch(() => {});
    },
  };
}
