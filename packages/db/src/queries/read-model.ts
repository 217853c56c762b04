import { sql } from "drizzle-orm";
import type { Database } from "../client";

/**
 * Read model queries (CQRS query side): the projection's batch upsert and the API's reads.
 * Raw SQL on purpose: the upsert needs one statement that sees old and new status together.
 */

export type ReadModelStatus = "PENDING" | "SENT" | "FAILED" | "SKIPPED";

/** One notification's state as carried by its highest-ranked event in a batch. */
export interface ProjectionRow {
  notificationId: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  userId: string;
  channel: string;
  status: ReadModelStatus;
  recipient: string | null;
  reasonCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  providerMessageId: string | null;
  sentAt: string | null;
  statusAt: string;
  createdAt: string;
  /** IANA zone the stats day is cut in (the tenant's, validated by the caller). */
  timeZone: string;
}

/** One delivery event as the timeline keeps it (notification_events); the caller sends all of a batch's. */
export interface TimelineRow {
  notificationId: string;
  status: ReadModelStatus;
  statusAt: string;
  attempts: number | null;
  reasonCode: string | null;
  errorMessage: string | null;
  latencyMs: number | null;
}

/**
 * Status order. Final state = highest rank ever seen, so the result does not depend on the
 * order events arrive in: a late PENDING never wins, FAILED then SENT (replayed dead letter)
 * ends SENT, and SKIPPED (decided before any send) is never left. Within PENDING the later
 * report wins (a worker reports one at every scheduled retry), so the row shows the attempt
 * it is waiting on; that is no status change and moves no counter.
 */
export const STATUS_RANK: Record<ReadModelStatus, number> = { PENDING: 0, FAILED: 1, SENT: 2, SKIPPED: 3 };

const rankOf = (column: ReturnType<typeof sql.raw>) =>
  sql`(case ${column} when 'PENDING' then 0 when 'FAILED' then 1 when 'SENT' then 2 when 'SKIPPED' then 3 else -1 end)`;

/** Any constant: every projection writer takes it, so batches never interleave (see below). */
const PROJECTION_LOCK = 7_340_215_001;

export interface BatchResult {
  /** Rows inserted or moved to a higher status (or a later PENDING). */
  changed: number;
  /** delivery_stats rows touched. */
  statsRows: number;
  /** notification_events rows inserted (facts not seen before). */
  timelineRows: number;
}

/** One jsonb parameter for a whole batch (no parameter-count limit), keys in column case. */
const asJsonRecords = (rows: object[]) =>
  JSON.stringify(
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
      ),
    ),
  );

/**
 * Applies one batch (one row per notification id; the caller collapses) in ONE transaction:
 * upserts notification_log where the status rank rises, and adds the resulting counter
 * deltas (derived from old vs new status of exactly the rows that changed) to delivery_stats.
 * A notification entering a final state adds 1 to that state's counter; moving between
 * final states (FAILED → SENT) moves the count. Unchanged rows (duplicates, replays, late
 * PENDINGs) produce no delta, so replaying the whole topic leaves both tables as they were.
 *
 * The transaction-scoped advisory lock serialises projection writers (a zombie consumer
 * during a rebalance, the rebuild script): the `old` CTE reads pre-statement state, which is
 * exact only while nobody else writes the same rows concurrently.
 */
export async function applyProjectionBatch(
  db: Database,
  rows: ProjectionRow[],
  timeline: TimelineRow[] = [],
): Promise<BatchResult> {
  if (rows.length === 0 && timeline.length === 0) return { changed: 0, statsRows: 0, timelineRows: 0 };
  const input = asJsonRecords(rows);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${PROJECTION_LOCK})`);
    const timelineRows = await appendTimeline(tx, timeline);
    const result = await tx.execute(sql`
      with input as (
        select * from jsonb_to_recordset(${input}::jsonb) as i(
          notification_id text, tenant_id text, event_id text, event_type text, user_id text, channel text,
          status text, recipient text, reason_code text, error_message text, attempts int,
          provider_message_id text, sent_at timestamptz, status_at timestamptz, created_at timestamptz,
          time_zone text)
      ),
      -- Materialised and looked up per key: inlined into the join below, the planner (which
      -- takes any jsonb_to_recordset for 100 rows) probed the whole input once per upserted
      -- row, a batch's cost growing with its square.
      old as materialized (
        select i.notification_id, l.status
        from input i cross join lateral (
          select status from notification_log where notification_id = i.notification_id
        ) l
      ),
      upserted as (
        insert into notification_log as l (notification_id, tenant_id, event_id, event_type, user_id, channel,
          status, recipient, reason_code, error_message, attempts, provider_message_id, sent_at, status_at,
          created_at, updated_at)
        select notification_id, tenant_id, event_id, event_type, user_id, channel, status, recipient,
          reason_code, error_message, attempts, provider_message_id, sent_at, status_at, created_at, now()
        from input
        on conflict (notification_id) do update set
          status = excluded.status,
          recipient = coalesce(excluded.recipient, l.recipient),
          reason_code = excluded.reason_code,
          error_message = excluded.error_message,
          attempts = coalesce(excluded.attempts, l.attempts),
          provider_message_id = excluded.provider_message_id,
          sent_at = excluded.sent_at,
          status_at = excluded.status_at,
          updated_at = now()
        where ${rankOf(sql.raw("l.status"))} < ${rankOf(sql.raw("excluded.status"))}
          or (l.status = 'PENDING' and excluded.status = 'PENDING' and excluded.status_at > l.status_at)
        returning l.notification_id, l.tenant_id, l.channel, l.status, l.created_at
      ),
      changes as (
        select u.tenant_id, u.channel, u.status as new_status, o.status as old_status,
          (u.created_at at time zone i.time_zone)::date as day
        from upserted u
        join input i on i.notification_id = u.notification_id
        left join old o on o.notification_id = u.notification_id
      ),
      deltas as (
        select tenant_id, day, channel,
          count(*) filter (where new_status = 'SENT') - count(*) filter (where old_status = 'SENT') as sent,
          count(*) filter (where new_status = 'FAILED') - count(*) filter (where old_status = 'FAILED') as failed,
          count(*) filter (where new_status = 'SKIPPED') - count(*) filter (where old_status = 'SKIPPED') as skipped
        from changes group by tenant_id, day, channel
      ),
      stats as (
        insert into delivery_stats as s (tenant_id, date, channel, sent_count, failed_count, skipped_count, updated_at)
        select tenant_id, day, channel, sent, failed, skipped, now() from deltas
        where sent <> 0 or failed <> 0 or skipped <> 0
        on conflict (tenant_id, date, channel) do update set
          sent_count = s.sent_count + excluded.sent_count,
          failed_count = s.failed_count + excluded.failed_count,
          skipped_count = s.skipped_count + excluded.skipped_count,
          updated_at = now()
        returning 1
      )
      select (select count(*) from upserted)::int as changed, (select count(*) from stats)::int as stats_rows
    `);
    const row = result[0] as { changed: number; stats_rows: number } | undefined;
    return { changed: row?.changed ?? 0, statsRows: row?.stats_rows ?? 0, timelineRows };
  });
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Appends the batch's events to notification_events; a fact already there (the same
 * notification, time, status and attempt: a redelivered batch, a replayed topic, a worker
 * reporting SENT again after a crash) conflicts on the unique index and is left out.
 */
async function appendTimeline(tx: Transaction, timeline: TimelineRow[]): Promise<number> {
  if (timeline.length === 0) return 0;
  const result = await tx.execute(sql`
    with inserted as (
      insert into notification_events as e (notification_id, status, status_at, attempts, reason_code,
        error_message, latency_ms)
      select notification_id, status, status_at, attempts, reason_code, error_message, latency_ms
      from jsonb_to_recordset(${asJsonRecords(timeline)}::jsonb) as i(
        notification_id text, status text, status_at timestamptz, attempts int, reason_code text,
        error_message text, latency_ms float8)
      on conflict (notification_id, status_at, status, coalesce(attempts, -1)) do nothing
      returning 1
    )
    select count(*)::int as n from inserted`);
  return (result[0] as { n: number } | undefined)?.n ?? 0;
}

/** Tenants' configured time zones (tenants without a row are absent). */
export async function tenantTimeZones(db: Database, tenantIds: string[]): Promise<Map<string, string>> {
  if (tenantIds.length === 0) return new Map();
  const rows = await db.execute(
    sql`select tenant_id, time_zone from tenants where tenant_id = any(${sql.param(tenantIds)}::text[])`,
  );
  return new Map(rows.map((r) => [String(r.tenant_id), String(r.time_zone)]));
}

/**
 * Empties the read model (log, stats, timeline) for a rebuild, under the projection lock so
 * no batch is half-applied.
 */
export async function truncateReadModel(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${PROJECTION_LOCK})`);
    await tx.execute(sql`truncate table notification_log, delivery_stats, notification_events`);
  });
}

/** A timestamptz column as ISO-8601 UTC text (drizzle's raw execute returns driver text otherwise). */
const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export interface HistoryFilter {
  tenantId: string;
  userId: string;
  limit: number;
  /** Keyset position: the last row of the previous page (timestamp text keeps microseconds). */
  after?: { createdAt: string; id: string } | undefined;
  channel?: string | undefined;
  status?: string | undefined;
  eventType?: string | undefined;
}

export interface HistoryRow {
  id: string;
  notificationId: string;
  eventId: string;
  eventType: string;
  channel: string;
  status: string;
  recipient: string | null;
  reasonCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  sentAt: string | null;
  statusAt: string;
  createdAt: string;
  /** created_at as exact UTC text (microseconds), for the next cursor. */
  cursorAt: string;
}

/**
 * A user's notifications newest first, keyset-paginated on (created_at, id) desc. "nulls
 * last" (no-op on these NOT NULL columns) matches the index's order exactly, so the planner
 * reads the first `limit` index entries instead of sorting all of the user's rows. The
 * ORDER BY names the table's columns: a bare `id` would mean the selected `id::text`, which
 * sorts 10 before 9.
 */
export async function listNotificationHistory(db: Database, filter: HistoryFilter): Promise<HistoryRow[]> {
  const conditions = [sql`tenant_id = ${filter.tenantId}`, sql`user_id = ${filter.userId}`];
  if (filter.after) {
    conditions.push(
      sql`(created_at, id) < (${filter.after.createdAt}::timestamptz, ${filter.after.id}::bigint)`,
    );
  }
  if (filter.channel) conditions.push(sql`channel = ${filter.channel}`);
  if (filter.status) conditions.push(sql`status = ${filter.status}`);
  if (filter.eventType) conditions.push(sql`event_type = ${filter.eventType}`);
  const rows = await db.execute(sql`
    select id::text as id, notification_id as "notificationId", event_id as "eventId", event_type as "eventType",
      channel, status, recipient, reason_code as "reasonCode", error_message as "errorMessage", attempts,
      ${iso("sent_at")} as "sentAt", ${iso("status_at")} as "statusAt", ${iso("created_at")} as "createdAt",
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"
    from notification_log
    where ${sql.join(conditions, sql` and `)}
    order by notification_log.created_at desc nulls last, notification_log.id desc nulls last
    limit ${filter.limit}`);
  return rows as unknown as HistoryRow[];
}

export interface DailyStatsRow {
  date: string;
  channel: string;
  sentCount: number;
  failedCount: number;
  skippedCount: number;
  successRate: number | null;
}

/** Only `tenantId`'s rows; undefined: every tenant's (an operator's platform-wide view). */
const ofTenant = (tenantId: string | undefined) =>
  tenantId === undefined ? sql`true` : sql`tenant_id = ${tenantId}`;

/**
 * Daily counters per channel, `from`..`to` inclusive (YYYY-MM-DD; each tenant's days are cut
 * in its own zone). Across tenants the counters of a day are summed and the rate recomputed
 * the way the generated column computes it.
 */
export async function dailyDeliveryStats(
  db: Database,
  tenantId: string | undefined,
  from: string,
  to: string,
) {
  const rows = await db.execute(sql`
    select date::text as date, channel, sum(sent_count)::int8 as sent, sum(failed_count)::int8 as failed,
      sum(skipped_count)::int8 as skipped,
      round(sum(sent_count)::numeric / nullif(sum(sent_count) + sum(failed_count), 0), 4)::float8 as rate
    from delivery_stats
    where ${ofTenant(tenantId)} and date between ${from}::date and ${to}::date
    group by date, channel
    order by date, channel`);
  return rows.map(
    (r): DailyStatsRow => ({
      date: String(r.date),
      channel: String(r.channel),
      sentCount: Number(r.sent),
      failedCount: Number(r.failed),
      skippedCount: Number(r.skipped),
      successRate: r.rate === null ? null : Number(r.rate),
    }),
  );
}

/** Totals per channel over `from`..`to`; success rate = sent / (sent + failed). */
export async function channelDeliveryStats(
  db: Database,
  tenantId: string | undefined,
  from: string,
  to: string,
) {
  const rows = await db.execute(sql`
    select channel, sum(sent_count)::int8 as sent, sum(failed_count)::int8 as failed, sum(skipped_count)::int8 as skipped
    from delivery_stats
    where ${ofTenant(tenantId)} and date between ${from}::date and ${to}::date
    group by channel order by channel`);
  return rows.map((r) => {
    const sent = Number(r.sent);
    const failed = Number(r.failed);
    return {
      channel: String(r.channel),
      sentCount: sent,
      failedCount: failed,
      skippedCount: Number(r.skipped),
      successRate: sent + failed === 0 ? null : Math.round((sent / (sent + failed)) * 10_000) / 10_000,
    };
  });
}

export interface FailureRow {
  tenantId: string;
  notificationId: string;
  eventId: string;
  eventType: string;
  userId: string;
  channel: string;
  reasonCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  failedAt: string;
  createdAt: string;
}

/**
 * Most recent failures of a tenant, or of every tenant (partial indexes
 * notification_log_failures_idx and notification_log_all_failures_idx).
 */
export async function recentFailures(db: Database, tenantId: string | undefined, limit: number) {
  const rows = await db.execute(sql`
    select tenant_id as "tenantId", notification_id as "notificationId", event_id as "eventId", event_type as "eventType",
      user_id as "userId", channel, reason_code as "reasonCode", error_message as "errorMessage", attempts,
      ${iso("status_at")} as "failedAt", ${iso("created_at")} as "createdAt"
    from notification_log
    where ${ofTenant(tenantId)} and status = 'FAILED'
    order by status_at desc nulls last
    limit ${limit}`);
  return rows as unknown as FailureRow[];
}
