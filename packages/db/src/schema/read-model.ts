import { sql } from "drizzle-orm";
import {
  bigserial,
  date,
  doublePrecision,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** CQRS read model: one row per notification, its latest (monotonic) status. */
export const notificationLog = pgTable(
  "notification_log",
  {
    id: bigserial({ mode: "bigint" }).primaryKey(),
    notificationId: text().notNull().unique(),
    tenantId: text().notNull(),
    eventId: text().notNull(),
    eventType: text().notNull(),
    userId: text().notNull(),
    channel: text().notNull(),
    status: text().notNull(),
    recipient: text(),
    reasonCode: text(),
    errorMessage: text(),
    attempts: integer(),
    providerMessageId: text(),
    sentAt: timestamp({ withTimezone: true }),
    statusAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // History: a user's notifications newest first, keyset-paginated on (created_at, id).
    index("notification_log_user_history_idx").on(t.tenantId, t.userId, t.createdAt.desc(), t.id.desc()),
    // Dashboard: recent failures per tenant.
    index("notification_log_failures_idx")
      .on(t.tenantId, t.statusAt.desc())
      .where(sql`${t.status} = 'FAILED'`),
    // Dashboard: an operator's recent failures across every tenant.
    index("notification_log_all_failures_idx").on(t.statusAt.desc()).where(sql`${t.status} = 'FAILED'`),
    // Delivery search (GET /api/v1/dashboard/deliveries), newest first on (created_at, id):
    // a tenant's, and every tenant's for an operator.
    index("notification_log_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index("notification_log_created_idx").on(t.createdAt.desc(), t.id.desc()),
    // The rare statuses (PENDING, FAILED, SKIPPED) a search narrows to: partial, so the
    // common SENT rows cost these indexes nothing; a search for SENT reads the ones above.
    index("notification_log_tenant_status_created_idx")
      .on(t.tenantId, t.status, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.status} <> 'SENT'`),
    index("notification_log_status_created_idx")
      .on(t.status, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.status} <> 'SENT'`),
    // Search by event (one per channel and device) or by user across tenants (operators).
    index("notification_log_event_idx").on(t.eventId),
    index("notification_log_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
  ],
);

/**
 * Every delivery event of a notification, as it arrived: the timeline behind its
 * notification_log row (PENDING at each scheduled retry, FAILED, a replay's PENDING and
 * SENT). Append-only; the unique key makes a replayed topic or redelivered batch insert
 * nothing twice: a worker that reports the same fact again reports the same status, time
 * and attempt. Written in the projection's transaction, emptied by a rebuild.
 */
export const notificationEvents = pgTable(
  "notification_events",
  {
    id: bigserial({ mode: "bigint" }).primaryKey(),
    notificationId: text().notNull(),
    status: text().notNull(),
    statusAt: timestamp({ withTimezone: true }).notNull(),
    attempts: integer(),
    reasonCode: text(),
    errorMessage: text(),
    latencyMs: doublePrecision(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // coalesce: attempts is often absent (ingest's events), and NULLs never conflict.
    uniqueIndex("notification_events_fact_idx").on(
      t.notificationId,
      t.statusAt,
      t.status,
      sql`coalesce(${t.attempts}, -1)`,
    ),
  ],
);

/** Daily counters per tenant and channel, days cut in the tenant's time zone. */
export const deliveryStats = pgTable(
  "delivery_stats",
  {
    tenantId: text().notNull(),
    date: date({ mode: "string" }).notNull(),
    channel: text().notNull(),
    sentCount: integer().notNull().default(0),
    failedCount: integer().notNull().default(0),
    skippedCount: integer().notNull().default(0),
    successRate: numeric({ precision: 5, scale: 4 }).generatedAlwaysAs(
      sql`case when sent_count + failed_count = 0 then null else round(sent_count::numeric / (sent_count + failed_count), 4) end`,
    ),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.date, t.channel] })],
);
