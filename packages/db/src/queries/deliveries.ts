import { sql } from "drizzle-orm";
import type { Database } from "../client";
import type { HistoryRow } from "./read-model";

/**
 * The operations console's reads of the read model: delivery search across a tenant (or
 * every tenant) and one notification's timeline. Raw SQL like the rest of the read model,
 * so each statement's shape matches an index (schema/read-model.ts).
 */

/** A timestamptz column as ISO-8601 UTC text with milliseconds. */
const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export interface DeliverySearch {
  /** Undefined: every tenant's (an operator's view). */
  tenantId: string | undefined;
  userId?: string | undefined;
  eventId?: string | undefined;
  notificationId?: string | undefined;
  channel?: string | undefined;
  status?: string | undefined;
  eventType?: string | undefined;
  /** created_at at or after. */
  from?: Date | undefined;
  /** created_at before. */
  to?: Date | undefined;
  limit: number;
  /** Keyset position: the last row of the previous page (timestamp text keeps microseconds). */
  after?: { createdAt: string; id: string } | undefined;
}

/** A history row (read-model.ts) with whose it is: the search spans users, and operators tenants. */
export interface DeliveryRow extends HistoryRow {
  tenantId: string;
  userId: string;
}

const COLUMNS = sql`id::text as id, tenant_id as "tenantId", notification_id as "notificationId",
  event_id as "eventId", event_type as "eventType", user_id as "userId", channel, status, recipient,
  reason_code as "reasonCode", error_message as "errorMessage", attempts,
  ${iso("sent_at")} as "sentAt", ${iso("status_at")} as "statusAt", ${iso("created_at")} as "createdAt",
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"`;

/**
 * Notifications matching every given filter, newest first, keyset-paginated on
 * (created_at, id) desc like the history. The order ("nulls last", the table's own columns)
 * is exactly the indexes' (tenant, or every tenant; a rare status; a user; an event), so
 * the planner reads the first `limit` matches instead of sorting every candidate.
 */
export async function searchDeliveries(db: Database, search: DeliverySearch): Promise<DeliveryRow[]> {
  const conditions = [sql`true`];
  if (search.tenantId !== undefined) conditions.push(sql`tenant_id = ${search.tenantId}`);
  if (search.userId !== undefined) conditions.push(sql`user_id = ${search.userId}`);
  if (search.eventId !== undefined) conditions.push(sql`event_id = ${search.eventId}`);
  if (search.notificationId !== undefined) conditions.push(sql`notification_id = ${search.notificationId}`);
  if (search.channel !== undefined) conditions.push(sql`channel = ${search.channel}`);
  if (search.status !== undefined) conditions.push(sql`status = ${search.status}`);
  if (search.eventType !== undefined) conditions.push(sql`event_type = ${search.eventType}`);
  if (search.from) conditions.push(sql`created_at >= ${search.from.toISOString()}::timestamptz`);
  if (search.to) conditions.push(sql`created_at < ${search.to.toISOString()}::timestamptz`);
  if (search.after) {
    conditions.push(
      sql`(created_at, id) < (${search.after.createdAt}::timestamptz, ${search.after.id}::bigint)`,
    );
  }
  const rows = await db.execute(sql`
    select ${COLUMNS}
    from notification_log
    where ${sql.join(conditions, sql` and `)}
    order by notification_log.created_at desc nulls last, notification_log.id desc nulls last
    limit ${search.limit}`);
  return rows as unknown as DeliveryRow[];
}

/** One notification, if it is `tenantId`'s (undefined: any tenant's). */
export async function findDelivery(
  db: Database,
  notificationId: string,
  tenantId: string | undefined,
): Promise<DeliveryRow | undefined> {
  const tenant = tenantId === undefined ? sql`true` : sql`tenant_id = ${tenantId}`;
  const rows = await db.execute(sql`
    select ${COLUMNS} from notification_log where notification_id = ${notificationId} and ${tenant}`);
  return rows[0] as unknown as DeliveryRow | undefined;
}

export interface TimelineEntry {
  status: string;
  at: string;
  attempts: number | null;
  reasonCode: string | null;
  errorMessage: string | null;
  latencyMs: number | null;
}

/**
 * A notification's delivery events oldest first (ties in the order they were projected).
 * Bounded: a notification has a handful; a runaway one must not make the answer huge.
 */
export async function deliveryTimeline(
  db: Database,
  notificationId: string,
  limit = 500,
): Promise<TimelineEntry[]> {
  const rows = await db.execute(sql`
    select status, ${iso("status_at")} as at, attempts, reason_code as "reasonCode",
      error_message as "errorMessage", latency_ms as "latencyMs"
    from notification_events where notification_id = ${notificationId}
    order by status_at, id
    limit ${limit}`);
  return rows.map((r) => ({
    status: String(r.status),
    at: String(r.at),
    attempts: r.attempts === null ? null : Number(r.attempts),
    reasonCode: r.reasonCode === null ? null : String(r.reasonCode),
    errorMessage: r.errorMessage === null ? null : String(r.errorMessage),
    latencyMs: r.latencyMs === null ? null : Number(r.latencyMs),
  }));
}
