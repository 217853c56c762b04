import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { bytea } from "./ingest";

/** Dead letters, stored for inspection and replay. Discarded ones stay for audit. */
export const dlqMessages = pgTable(
  "dlq_messages",
  {
    id: bigserial({ mode: "bigint" }).primaryKey(),
    domain: text().notNull(),
    dlqTopic: text().notNull(),
    dlqPartition: integer().notNull(),
    dlqOffset: bigint({ mode: "bigint" }).notNull(),
    originalTopic: text().notNull(),
    originalPartition: integer(),
    originalOffset: bigint({ mode: "bigint" }),
    channel: text(),
    eventId: text(),
    notificationId: text(),
    errorCode: text(),
    errorMessage: text().notNull(),
    retryCount: integer().notNull().default(0),
    failedAt: timestamp({ withTimezone: true }).notNull(),
    key: text(),
    value: bytea(),
    headers: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** PENDING → RETRIED (replayed to its original topic) or DISCARDED. */
    status: text().notNull().default("PENDING"),
    replayCount: integer().notNull().default(0),
    lastReplayedAt: timestamp({ withTimezone: true }),
    resolvedBy: text(),
    resolvedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Re-reading the DLQ topic after a crash must not store a dead letter twice.
    uniqueIndex("dlq_messages_source_idx").on(t.dlqTopic, t.dlqPartition, t.dlqOffset),
    index("dlq_messages_status_idx").on(t.status, t.id.desc()),
  ],
);
