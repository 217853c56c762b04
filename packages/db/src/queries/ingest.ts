import { and, eq, exists, inArray, like, lte, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { orderUsers, parkedEvents, paymentOrders, processedEvents } from "../schema/ingest";
import { tenants, userNotificationSettings } from "../schema/settings";

type Executor = Pick<Database, "select" | "insert" | "delete" | "execute">;

export async function isEventProcessed(db: Executor, eventId: string): Promise<boolean> {
  const rows = await db
    .select({ eventId: processedEvents.eventId })
    .from(processedEvents)
    .where(eq(processedEvents.eventId, eventId))
    .limit(1);
  return rows.length > 0;
}

/**
 * Claims an event id inside the caller's transaction. Returns false when it was processed
 * before. A concurrent claim of the same id (a duplicate on another partition) blocks on
 * the primary key until this transaction ends, then sees the conflict: so an event is
 * published once even when two copies are handled at the same time.
 */
export async function claimEvent(
  tx: Executor,
  event: { eventId: string; tenantId: string; eventType: string; outcome: string },
): Promise<boolean> {
  const rows = await tx
    .insert(processedEvents)
    .values(event)
    .onConflictDoNothing()
    .returning({ eventId: processedEvents.eventId });
  return rows.length > 0;
}

export async function setEventOutcome(
  tx: Pick<Database, "update">,
  eventId: string,
  outcome: string,
): Promise<void> {
  await tx.update(processedEvents).set({ outcome }).where(eq(processedEvents.eventId, eventId));
}

/** Undoes a claim within the same transaction (the event waits, parked, instead). */
export async function releaseClaim(tx: Executor, eventId: string): Promise<void> {
  await tx.delete(processedEvents).where(eq(processedEvents.eventId, eventId));
}

/** Returns true when the mapping is new (so events parked on it may now be released). */
export async function rememberOrderUser(
  db: Executor,
  row: { tenantId: string; orderId: string; userId: string },
): Promise<boolean> {
  const inserted = await db
    .insert(orderUsers)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: orderUsers.orderId });
  return inserted.length > 0;
}

/** Returns true when the mapping is new. */
export async function rememberPaymentOrder(
  db: Executor,
  row: { tenantId: string; paymentId: string; orderId: string },
): Promise<boolean> {
  const inserted = await db
    .insert(paymentOrders)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: paymentOrders.paymentId });
  return inserted.length > 0;
}

export async function findOrderUser(
  db: Executor,
  tenantId: string,
  orderId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: orderUsers.userId })
    .from(orderUsers)
    .where(and(eq(orderUsers.tenantId, tenantId), eq(orderUsers.orderId, orderId)))
    .limit(1);
  return row?.userId;
}

export async function findPaymentOrder(
  db: Executor,
  tenantId: string,
  paymentId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ orderId: paymentOrders.orderId })
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.paymentId, paymentId)))
    .limit(1);
  return row?.orderId;
}

export type ParkedEvent = typeof parkedEvents.$inferSelect;
export type NewParkedEvent = typeof parkedEvents.$inferInsert;

/** Parks an event; parking the same event twice (redelivery) keeps the first deadline. */
export async function parkEvent(db: Executor, event: NewParkedEvent): Promise<void> {
  await db.insert(parkedEvents).values(event).onConflictDoNothing();
}

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

/** Whether the mapping a parked event waits for ("order:{id}" / "payment:{id}") is known now. */
export async function isMappingKnown(db: Executor, tenantId: string, waitingFor: string): Promise<boolean> {
  const separator = waitingFor.indexOf(":");
  const kind = waitingFor.slice(0, separator);
  const id = waitingFor.slice(separator + 1);
  if (kind === "order") return (await findOrderUser(db, tenantId, id)) !== undefined;
  if (kind === "payment") return (await findPaymentOrder(db, tenantId, id)) !== undefined;
  return false;
}

export async function deleteParked(db: Executor, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await db.delete(parkedEvents).where(inArray(parkedEvents.eventId, eventIds));
}

export async function countParked(db: Executor): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(parkedEvents);
  return row?.count ?? 0;
}

export type UserSettingsRow = typeof userNotificationSettings.$inferSelect;

export async function findUserSettings(db: Executor, tenantId: string, userId: string) {
  const [row] = await db
    .select()
    .from(userNotificationSettings)
    .where(and(eq(userNotificationSettings.tenantId, tenantId), eq(userNotificationSettings.userId, userId)))
    .limit(1);
  return row;
}

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
