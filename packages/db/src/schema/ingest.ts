import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/** Event ids the ingest worker has finished with (routed, skipped or dead-lettered). */
export const processedEvents = pgTable(
  "processed_events",
  {
    eventId: text().primaryKey(),
    tenantId: text().notNull(),
    eventType: text().notNull(),
    outcome: text().notNull(),
    processedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("processed_events_processed_at_idx").on(t.processedAt)],
);

/** Learned from order events: who placed an order. Payment/refund events need it. */
export const orderUsers = pgTable(
  "order_users",
  {
    tenantId: text().notNull(),
    orderId: text().notNull(),
    userId: text().notNull(),
    learnedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.orderId] })],
);

/** Learned from payment events: which order a payment belongs to (refunds name payments). */
export const paymentOrders = pgTable(
  "payment_orders",
  {
    tenantId: text().notNull(),
    paymentId: text().notNull(),
    orderId: text().notNull(),
    learnedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.paymentId] })],
);

/**
 * Events whose recipient is not known yet, waiting off the partition for the mapping
 * (`waitingFor` = "order:{id}" or "payment:{id}") until `deadlineAt`, then dead-lettered.
 */
export const parkedEvents = pgTable(
  "parked_events",
  {
    eventId: text().primaryKey(),
    tenantId: text().notNull(),
    eventType: text().notNull(),
    waitingFor: text().notNull(),
    topic: text().notNull(),
    partition: integer().notNull(),
    offset: bigint({ mode: "bigint" }).notNull(),
    key: text(),
    value: bytea().notNull(),
    headers: jsonb().$type<Record<string, string>>().notNull().default({}),
    parkedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deadlineAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index("parked_events_waiting_for_idx").on(t.tenantId, t.waitingFor),
    index("parked_events_deadline_idx").on(t.deadlineAt),
  ],
);

export { bytea };
