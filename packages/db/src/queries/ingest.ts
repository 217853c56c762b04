import { and, eq, exists, inArray, like, lte, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { orderUsers, parkedEvents, paymentOrders, processedEvents } from "../schema/ingest";
import { tenants, userNotificationSettings } from "../schema/settings";

type Executor = Pick<Database, "select" | "insert" | "delete" | "execute">;

export type ParkedEvent = typeof parkedEvents.$inferSelect;
export type NewParkedEvent = typeof parkedEvents.$inferInsert;

/**
 * Locks parked events waiting for one of `waitingFor` (e.g. "order:o-1") in this
 * transaction, skipping rows another process is releasing right now. The caller publishes
 * them and deletes them before committing, so a crash leaves them parked, not lost.
 */
export async function lockParkedWaitingFor(
  db: Executor,
  tenantId: string,
  waitingFor: string[],
): Promise<ParkedEvent[]> {
  if (waitingFor.length === 0) return [];
  return db
    .select()
    .from(parkedEvents)
    .where(and(eq(parkedEvents.tenantId, tenantId), inArray(parkedEvents.waitingFor, waitingFor)))
    .orderBy(parkedEvents.parkedAt)
    .for("update", { skipLocked: true });
}

/**
 * Locks up to `limit` parked events that can move now: past their deadline, or whose
 * awaited mapping ("order:{id}" / "payment:{id}") has been learned. Rows still waiting
 * within their deadline are not touched, so a sweep costs one query when nothing moved.
 * Only events parked from `topics` are considered: a worker dead-letters what it read itself,
 * to its own dead-letter topics, even when deployments with other topics share the database.
 */
export async function lockMovableParked(
  db: Executor,
  args: { now: Date; limit: number; topics: string[] },
): Promise<ParkedEvent[]> {
  const { now, limit } = args;
  const p = parkedEvents;
  const orderKnown = db
    .select({ one: sql`1` })
    .from(orderUsers)
    .where(and(eq(orderUsers.tenantId, p.tenantId), eq(orderUsers.orderId, sql`substr(${p.waitingFor}, 7)`)));
  const paymentKnown = db
    .select({ one: sql`1` })
    .from(paymentOrders)
    .where(
      and(
        eq(paymentOrders.tenantId, p.tenantId),
        eq(paymentOrders.paymentId, sql`substr(${p.waitingFor}, 9)`),
      ),
    );
  return db
    .select()
    .from(p)
    .where(
      and(
        inArray(p.topic, args.topics),
        or(
          lte(p.deadlineAt, now),
          and(like(p.waitingFor, "order:%"), exists(orderKnown)),
          and(like(p.waitingFor, "payment:%"), exists(paymentKnown)),
        ),
      ),
    )
    .orderBy(p.parkedAt)
    .limit(limit)
    .for("update", { of: p, skipLocked: true });
}

/** Locks one parked event (skipping it when another process holds it). */
export async function lockParkedEvent(db: Executor, eventId: string): Promise<ParkedEvent | undefined> {
  const [row] = await db
    .select()
    .from(parkedEvents)
    .where(eq(parkedEvents.eventId, eventId))
    .for("update", { skipLocked: true });
  return row;
}

/** Cheap pre-check before opening a release transaction. */
export async function hasParkedWaitingFor(
  db: Executor,
  tenantId: string,
  waitingFor: string[],
): Promise<boolean> {
  if (waitingFor.length === 0) return false;
  const rows = await db
    .select({ eventId: parkedEvents.eventId })
    .from(parkedEvents)
    .where(and(eq(parkedEvents.tenantId, tenantId), inArray(parkedEvents.waitingFor, waitingFor)))
    .limit(1);
  return rows.length > 0;
}

export async function deleteParked(db: Executor, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await db.delete(parkedEvents).where(inArray(parkedEvents.eventId, eventIds));
}

export async function countParked(db: Executor): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(parkedEvents);
  return row?.count ?? 0;
}

export type UserSettingsRow = typeof userNotificationSettings.$inferSelect;

export async function findTenant(db: Executor, tenantId: string) {
  const [row] = await db.select().from(tenants).where(eq(tenants.tenantId, tenantId)).limit(1);
  return row;
}

export async function updateParkedWaitingFor(
  db: Pick<Database, "update">,
  eventId: string,
  waitingFor: string,
): Promise<void> {
  await db.update(parkedEvents).set({ waitingFor }).where(eq(parkedEvents.eventId, eventId));
}

// Batched forms, one statement per fetched batch of events. Rows are sorted by key before
// inserting so that concurrent batches lock rows in the same order and cannot deadlock.

const byKey = <T>(rows: T[], key: (row: T) => string) =>
  [...new Map(rows.map((row) => [key(row), row])).values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));

/**
 * Claims event ids inside the caller's transaction; returns those claimed now (the rest
 * were processed before). A concurrent claim of the same id (a duplicate on another
 * partition) blocks on the primary key until this transaction ends, then sees the
 * conflict: so an event is published once even when two copies are handled at once.
 */
export async function claimEvents(
  tx: Executor,
  events: Array<{ eventId: string; tenantId: string; eventType: string; outcome: string }>,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await tx
    .insert(processedEvents)
    .values(byKey(events, (e) => e.eventId))
    .onConflictDoNothing()
    .returning({ eventId: processedEvents.eventId });
  return new Set(rows.map((row) => row.eventId));
}

/** Undoes claims within the same transaction (those events wait, parked, instead). */
export async function releaseClaims(tx: Executor, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await tx.delete(processedEvents).where(inArray(processedEvents.eventId, eventIds));
}

export async function setEventOutcomes(
  tx: Pick<Database, "update">,
  eventIds: string[],
  outcome: string,
): Promise<void> {
  if (eventIds.length === 0) return;
  await tx.update(processedEvents).set({ outcome }).where(inArray(processedEvents.eventId, eventIds));
}

const pairKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/** Learns order → user mappings; returns the keys (tenant, order) that are new. */
export async function rememberOrderUsers(
  tx: Executor,
  rows: Array<{ tenantId: string; orderId: string; userId: string }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await tx
    .insert(orderUsers)
    .values(byKey(rows, (r) => pairKey(r.tenantId, r.orderId)))
    .onConflictDoNothing()
    .returning({ tenantId: orderUsers.tenantId, orderId: orderUsers.orderId });
  return new Set(inserted.map((row) => pairKey(row.tenantId, row.orderId)));
}

/** Learns payment → order mappings; returns the keys (tenant, payment) that are new. */
export async function rememberPaymentOrders(
  tx: Executor,
  rows: Array<{ tenantId: string; paymentId: string; orderId: string }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await tx
    .insert(paymentOrders)
    .values(byKey(rows, (r) => pairKey(r.tenantId, r.paymentId)))
    .onConflictDoNothing()
    .returning({ tenantId: paymentOrders.tenantId, paymentId: paymentOrders.paymentId });
  return new Set(inserted.map((row) => pairKey(row.tenantId, row.paymentId)));
}

const pairsIn = (tenantColumn: unknown, idColumn: unknown, pairs: Array<[string, string]>) =>
  sql`(${tenantColumn}, ${idColumn}) in (${sql.join(
    pairs.map(([tenant, id]) => sql`(${tenant}, ${id})`),
    sql`, `,
  )})`;

/** (tenant, order) → user for every pair known; keys as `pairKey`. */
export async function findOrderUsers(
  tx: Executor,
  pairs: Array<[string, string]>,
): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const rows = await tx
    .select({ tenantId: orderUsers.tenantId, orderId: orderUsers.orderId, userId: orderUsers.userId })
    .from(orderUsers)
    .where(pairsIn(orderUsers.tenantId, orderUsers.orderId, pairs));
  return new Map(rows.map((row) => [pairKey(row.tenantId, row.orderId), row.userId]));
}

/** (tenant, payment) → order for every pair known; keys as `pairKey`. */
export async function findPaymentOrders(
  tx: Executor,
  pairs: Array<[string, string]>,
): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const rows = await tx
    .select({
      tenantId: paymentOrders.tenantId,
      paymentId: paymentOrders.paymentId,
      orderId: paymentOrders.orderId,
    })
    .from(paymentOrders)
    .where(pairsIn(paymentOrders.tenantId, paymentOrders.paymentId, pairs));
  return new Map(rows.map((row) => [pairKey(row.tenantId, row.paymentId), row.orderId]));
}

/** Saved settings of many users; keys as `pairKey(tenant, user)`. */
export async function findUserSettingsMany(
  db: Executor,
  pairs: Array<[string, string]>,
): Promise<Map<string, UserSettingsRow>> {
  if (pairs.length === 0) return new Map();
  const s = userNotificationSettings;
  const rows = await db
    .select()
    .from(s)
    .where(pairsIn(s.tenantId, s.userId, pairs));
  return new Map(rows.map((row) => [pairKey(row.tenantId, row.userId), row]));
}

/** Parks many events; a redelivered one keeps its first deadline. */
export async function parkEvents(db: Executor, events: NewParkedEvent[]): Promise<void> {
  if (events.length > 0) {
    await db
      .insert(parkedEvents)
      .values(byKey(events, (e) => e.eventId))
      .onConflictDoNothing();
  }
}

export { pairKey };
