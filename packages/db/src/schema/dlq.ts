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
    /**
     * The tenant the dead letter belongs to, when it can be read (X-Tenant-Id, else the
     * value's CloudEvent `tenantid` or command `tenantId`). Null: visible to operators only.
     */
    tenantId: text(),
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
    /**
     * PENDING → REPLAYED (put back where our consumers read it) → RESOLVED (the replay was
     * delivered) — or DISCARDED by an operator. A replay that fails again stays REPLAYED and
     * its new dead letter points back here through `replayOf`.
     */
    status: text().notNull().default("PENDING"),
    replayCount: integer().notNull().default(0),
    lastReplayedAt: timestamp({ withTimezone: true }),
    /** The operator who last replayed or discarded it (the audit table has the history). */
    resolvedBy: text(),
    resolvedAt: timestamp({ withTimezone: true }),
    discardReason: text(),
    /** The dead letter whose replay failed again and produced this one (X-Replay-Of). */
    replayOf: bigint({ mode: "bigint" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Re-reading the DLQ topic after a crash must not store a dead letter twice.
    uniqueIndex("dlq_messages_source_idx").on(t.dlqTopic, t.dlqPartition, t.dlqOffset),
    index("dlq_messages_status_idx").on(t.status, t.id.desc()),
    // An admin's list: one tenant's dead letters newest first (status filtered on the way).
    index("dlq_messages_tenant_idx").on(t.tenantId, t.id.desc()),
    index("dlq_messages_event_idx").on(t.eventId),
    // The console's "dead letters of this notification" (the delivery timeline links here).
    index("dlq_messages_notification_idx").on(t.notificationId),
    index("dlq_messages_replay_of_idx").on(t.replayOf),
  ],
);

/** Who did what to a dead letter, and when: every state change, in order. */
export const dlqAudit = pgTable(
  "dlq_audit",
  {
    id: bigserial({ mode: "bigint" }).primaryKey(),
    dlqMessageId: bigint({ mode: "bigint" })
      .notNull()
      .references(() => dlqMessages.id),
    /** STORED, REPLAYED, RESOLVED, FAILED_AGAIN, DISCARDED. */
    action: text().notNull(),
    /** The operator's user id, or "system" for what the platform observed itself. */
    actor: text().notNull(),
    detail: text(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("dlq_audit_message_idx").on(t.dlqMessageId, t.id)],
);

/**
 * Originals of dead letters too large to dead-letter as they were (the dead letter carries
 * X-Value-Sha256 instead of the value): gzipped bytes keyed by their SHA-256, read from the
 * originals topic so an operator can fetch them (GET /api/v1/admin/dlq/{id}/original).
 */
export const dlqOriginals = pgTable("dlq_originals", {
  sha256: text().primaryKey(),
  /** Size of the original, uncompressed. */
  bytes: bigint({ mode: "number" }).notNull(),
  /** The original, gzipped (as it travelled on the originals topic). */
  gzipped: bytea().notNull(),
  /** The dead-letter topic its digest form went to. */
  dlqTopic: text(),
  storedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
