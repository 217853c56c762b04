import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The in-app inbox (CONTRACT §4): every IN_APP notification a user received, with its read
 * state. The in-app worker appends; query-api serves the feed, the read endpoints and the
 * stream's history. `seq` numbers a user's items 1, 2, 3… with no gaps and in commit order
 * (it is taken from `inbox_state` under that row's lock), so it is the stream's event id: a
 * client that saw n has seen everything up to n, and a reader that sees n + 2 knows n + 1
 * is already committed.
 */
export const inboxItems = pgTable(
  "inbox_items",
  {
    tenantId: text().notNull(),
    userId: text().notNull(),
    seq: bigint({ mode: "number" }).notNull(),
    notificationId: text().notNull().unique(),
    eventType: text().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    readAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.seq] }),
    // The unread feed and the unread count's check (the count itself is kept in inbox_state).
    index("inbox_items_unread_idx").on(t.tenantId, t.userId, t.seq).where(sql`${t.readAt} is null`),
  ],
);

/**
 * One row per user with an inbox: the last `seq` handed out and the exact unread count,
 * changed only under this row's lock (every writer takes it first), and `version`, bumped on
 * every change of the count, so a stream that hears two changes out of order keeps the
 * newer one.
 */
export const inboxState = pgTable(
  "inbox_state",
  {
    tenantId: text().notNull(),
    userId: text().notNull(),
    lastSeq: bigint({ mode: "number" }).notNull().default(0),
    unreadCount: integer().notNull().default(0),
    version: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);
