import { sql } from "drizzle-orm";
import {
  bigserial,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
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
