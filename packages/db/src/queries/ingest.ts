import type postgres from "postgres";
import type { userNotificationSettings } from "../schema/settings";

/**
 * The ingest worker's queries, on postgres.js directly rather than drizzle's builder: this
 * is the platform's hottest database path (every FluxPay event), and here each statement
 * has one fixed text whatever the batch size (rows travel as arrays through `unnest`), so
 * postgres.js prepares it once per connection and PostgreSQL plans it once, instead of the
 * builder assembling (and the server parsing) a statement of N value rows per batch.
 */
// biome-ignore lint/suspicious/noExplicitAny: the client's custom types (bigint) vary by caller
export type SqlExecutor = postgres.Sql<any> | postgres.TransactionSql<any>;

export interface ParkedEvent {
  eventId: string;
  tenantId: string;
  eventType: string;
  waitingFor: string;
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  parkedAt: Date;
  deadlineAt: Date;
}

export type NewParkedEvent = Omit<ParkedEvent, "parkedAt">;

export type UserSettingsRow = typeof userNotificationSettings.$inferSelect;

const pairKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/** Rows sorted by key (and deduplicated): concurrent batches lock rows in one order and cannot deadlock. */
const byKey = <T>(rows: T[], key: (row: T) => string) =>
  [...new Map(rows.map((row) => [key(row), row])).values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));

const columns = <T, K extends keyof T>(rows: T[], ...names: K[]) =>
  names.map((name) => rows.map((row) => row[name]));

/**
 * drizzle makes the shared postgres.js client return timestamps as text (it maps dates
 * itself), so raw queries parse them here.
 */
type ParkedRow = Omit<ParkedEvent, "parkedAt" | "deadlineAt"> & { parkedAt: string; deadlineAt: string };
const parked = (rows: ParkedRow[]): ParkedEvent[] =>
  rows.map((row) => ({ ...row, parkedAt: new Date(row.parkedAt), deadlineAt: new Date(row.deadlineAt) }));

const PARKED_COLUMNS = `event_id as "eventId", tenant_id as "tenantId", event_type as "eventType",
  waiting_for as "waitingFor", topic, partition, "offset", key, value, headers,
  parked_at as "parkedAt", deadline_at as "deadlineAt"`;

/**
 * Claims event ids inside the caller's transaction; returns those claimed now (the rest
 * were processed before). A concurrent claim of the same id (a duplicate on another
 * partition) blocks on the primary key until this transaction ends, then sees the
 * conflict: so an event is published once even when two copies are handled at once.
 */
export async function claimEvents(
  tx: SqlExecutor,
  events: Array<{ eventId: string; tenantId: string; eventType: string; outcome: string }>,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const [ids, tenants, types, outcomes] = columns(
    byKey(events, (e) => e.eventId),
    "eventId",
    "tenantId",
    "eventType",
    "outcome",
  );
  const rows = await tx<{ eventId: string }[]>`
    insert into processed_events (event_id, tenant_id, event_type, outcome)
    select * from unnest(${ids}::text[], ${tenants}::text[], ${types}::text[], ${outcomes}::text[])
    on conflict do nothing
    returning event_id as "eventId"`;
  return new Set(rows.map((row) => row.eventId));
}

/** Undoes claims within the same transaction (those events wait, parked, instead). */
export async function releaseClaims(tx: SqlExecutor, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await tx`delete from processed_events where event_id = any(${eventIds}::text[])`;
}

export async function setEventOutcomes(tx: SqlExecutor, eventIds: string[], outcome: string): Promise<void> {
  if (eventIds.length === 0) return;
  await tx`update processed_events set outcome = ${outcome} where event_id = any(${eventIds}::text[])`;
}

/** Learns order → user mappings; returns the keys (tenant, order) that are new. */
export async function rememberOrderUsers(
  tx: SqlExecutor,
  rows: Array<{ tenantId: string; orderId: string; userId: string }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const [tenants, orders, users] = columns(
    byKey(rows, (r) => pairKey(r.tenantId, r.orderId)),
    "tenantId",
    "orderId",
    "userId",
  );
  const inserted = await tx<{ tenantId: string; orderId: string }[]>`
    insert into order_users (tenant_id, order_id, user_id)
    select * from unnest(${tenants}::text[], ${orders}::text[], ${users}::text[])
    on conflict do nothing
    returning tenant_id as "tenantId", order_id as "orderId"`;
  return new Set(inserted.map((row) => pairKey(row.tenantId, row.orderId)));
}

/** Learns payment → order mappings; returns the keys (tenant, payment) that are new. */
export async function rememberPaymentOrders(
  tx: SqlExecutor,
  rows: Array<{ tenantId: string; paymentId: string; orderId: string }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const [tenants, payments, orders] = columns(
    byKey(rows, (r) => pairKey(r.tenantId, r.paymentId)),
    "tenantId",
    "paymentId",
    "orderId",
  );
  const inserted = await tx<{ tenantId: string; paymentId: string }[]>`
    insert into payment_orders (tenant_id, payment_id, order_id)
    select * from unnest(${tenants}::text[], ${payments}::text[], ${orders}::text[])
    on conflict do nothing
    returning tenant_id as "tenantId", payment_id as "paymentId"`;
  return new Set(inserted.map((row) => pairKey(row.tenantId, row.paymentId)));
}

const split = (pairs: Array<[string, string]>) => [pairs.map((p) => p[0]), pairs.map((p) => p[1])];

/** (tenant, order) → user for every pair known; keys as `pairKey`. */
export async function findOrderUsers(
  tx: SqlExecutor,
  pairs: Array<[string, string]>,
): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const [tenants, orders] = split(pairs);
  const rows = await tx<{ tenantId: string; orderId: string; userId: string }[]>`
    select o.tenant_id as "tenantId", o.order_id as "orderId", o.user_id as "userId"
    from unnest(${tenants}::text[], ${orders}::text[]) as p(tenant_id, order_id)
    join order_users o using (tenant_id, order_id)`;
  return new Map(rows.map((row) => [pairKey(row.tenantId, row.orderId), row.userId]));
}

/** (tenant, payment) → order for every pair known; keys as `pairKey`. */
export async function findPaymentOrders(
  tx: SqlExecutor,
  pairs: Array<[string, string]>,
): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const [tenants, payments] = split(pairs);
  const rows = await tx<{ tenantId: string; paymentId: string; orderId: string }[]>`
    select m.tenant_id as "tenantId", m.payment_id as "paymentId", m.order_id as "orderId"
    from unnest(${tenants}::text[], ${payments}::text[]) as p(tenant_id, payment_id)
    join payment_orders m using (tenant_id, payment_id)`;
  return new Map(rows.map((row) => [pairKey(row.tenantId, row.paymentId), row.orderId]));
}

/** Saved settings of many users; keys as `pairKey(tenant, user)`. */
export async function findUserSettingsMany(
  tx: SqlExecutor,
  pairs: Array<[string, string]>,
): Promise<Map<string, UserSettingsRow>> {
  if (pairs.length === 0) return new Map();
  const [tenants, users] = split(pairs);
  const rows = await tx<UserSettingsRow[]>`
    select s.tenant_id as "tenantId", s.user_id as "userId", s.locale, s.time_zone as "timeZone",
      s.contacts, s.channels, s.event_types as "eventTypes", s.updated_at as "updatedAt"
    from unnest(${tenants}::text[], ${users}::text[]) as p(tenant_id, user_id)
    join user_notification_settings s using (tenant_id, user_id)`;
  return new Map(rows.map((row) => [pairKey(row.tenantId, row.userId), row]));
}

export async function findTenant(
  tx: SqlExecutor,
  tenantId: string,
): Promise<{ slackWebhookUrl: string | null } | undefined> {
  const [row] = await tx<{ slackWebhookUrl: string | null }[]>`
    select slack_webhook_url as "slackWebhookUrl" from tenants where tenant_id = ${tenantId}`;
  return row;
}

/** Parks many events; a redelivered one keeps its first deadline. */
export async function parkEvents(tx: SqlExecutor, events: NewParkedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = byKey(events, (e) => e.eventId);
  // jsonb and bytea as one jsonb document: unnest cannot take an array of jsonb per row
  // through a prepared statement's text-array parameter without losing the value bytes.
  const input = JSON.stringify(
    rows.map((e) => ({
      event_id: e.eventId,
      tenant_id: e.tenantId,
      event_type: e.eventType,
      waiting_for: e.waitingFor,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset.toString(),
      key: e.key,
      value: e.value.toString("base64"),
      headers: e.headers,
      deadline_at: e.deadlineAt.toISOString(),
    })),
  );
  await tx`
    insert into parked_events (event_id, tenant_id, event_type, waiting_for, topic, partition, "offset",
      key, value, headers, deadline_at)
    select event_id, tenant_id, event_type, waiting_for, topic, partition, "offset"::int8, key,
      decode(value, 'base64'), headers, deadline_at
    from jsonb_to_recordset(${input}::jsonb) as i(event_id text, tenant_id text, event_type text,
      waiting_for text, topic text, partition int, "offset" text, key text, value text, headers jsonb,
      deadline_at timestamptz)
    on conflict do nothing`;
}

/**
 * Locks parked events waiting for one of `waitingFor` (e.g. "order:o-1") in this
 * transaction, skipping rows another process is releasing right now. The caller publishes
 * them and deletes them before committing, so a crash leaves them parked, not lost.
 */
export async function lockParkedWaitingFor(
  tx: SqlExecutor,
  tenantId: string,
  waitingFor: string[],
): Promise<ParkedEvent[]> {
  if (waitingFor.length === 0) return [];
  return parked(
    await tx<ParkedRow[]>`
      select ${tx.unsafe(PARKED_COLUMNS)} from parked_events
      where tenant_id = ${tenantId} and waiting_for = any(${waitingFor}::text[])
      order by parked_at
      for update skip locked`,
  );
}

/** Locks one parked event (skipping it when another process holds it). */
export async function lockParkedEvent(tx: SqlExecutor, eventId: string): Promise<ParkedEvent | undefined> {
  const rows = await tx<ParkedRow[]>`
    select ${tx.unsafe(PARKED_COLUMNS)} from parked_events where event_id = ${eventId}
    for update skip locked`;
  return parked(rows)[0];
}

/**
 * Locks up to `limit` parked events that can move now: past their deadline, or whose
 * awaited mapping ("order:{id}" / "payment:{id}") has been learned. Rows still waiting
 * within their deadline are not touched, so a sweep costs one query when nothing moved.
 * Only events parked from `topics` are considered: a worker dead-letters what it read itself,
 * to its own dead-letter topics, even when deployments with other topics share the database.
 */
export async function lockMovableParked(
  tx: SqlExecutor,
  args: { now: Date; limit: number; topics: string[] },
): Promise<ParkedEvent[]> {
  const rows = await tx<ParkedRow[]>`
    select ${tx.unsafe(PARKED_COLUMNS)} from parked_events p
    where p.topic = any(${args.topics}::text[]) and (
      p.deadline_at <= ${args.now.toISOString()}::timestamptz
      or (p.waiting_for like 'order:%' and exists (select 1 from order_users o
        where o.tenant_id = p.tenant_id and o.order_id = substr(p.waiting_for, 7)))
      or (p.waiting_for like 'payment:%' and exists (select 1 from payment_orders m
        where m.tenant_id = p.tenant_id and m.payment_id = substr(p.waiting_for, 9))))
    order by p.parked_at
    limit ${args.limit}
    for update of p skip locked`;
  return parked(rows);
}

/** Cheap pre-check before opening a release transaction. */
export async function hasParkedWaitingFor(
  tx: SqlExecutor,
  tenantId: string,
  waitingFor: string[],
): Promise<boolean> {
  if (waitingFor.length === 0) return false;
  const rows = await tx`
    select 1 from parked_events where tenant_id = ${tenantId} and waiting_for = any(${waitingFor}::text[])
    limit 1`;
  return rows.length > 0;
}

export async function deleteParked(tx: SqlExecutor, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await tx`delete from parked_events where event_id = any(${eventIds}::text[])`;
}

export async function countParked(tx: SqlExecutor): Promise<number> {
  const [row] = await tx<{ count: number }[]>`select count(*)::int as count from parked_events`;
  return row?.count ?? 0;
}

export async function updateParkedWaitingFor(
  tx: SqlExecutor,
  eventId: string,
  waitingFor: string,
): Promise<void> {
  await tx`update parked_events set waiting_for = ${waitingFor} where event_id = ${eventId}`;
}

export { pairKey };
