import { and, eq, inArray, lt, sql } from "drizzle-orm";
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

export async function rememberOrderUser(
  db: Executor,
  row: { tenantId: string; orderId: string; userId: string },
) {
  await db.insert(orderUsers).values(row).onConflictDoNothing();
}

export async function rememberPaymentOrder(
  db: Executor,
  row: { tenantId: string; paymentId: string; orderId: string },
) {
  await db.insert(paymentOrders).values(row).onConflictDoNothing();
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

/** Locks up to `limit` parked events (oldest first) for a sweep. */
export async function lockParkedBatch(db: Executor, limit: number): Promise<ParkedEvent[]> {
  return db
    .select()
    .from(parkedEvents)
    .orderBy(parkedEvents.parkedAt)
    .limit(limit)
    .for("update", { skipLocked: true });
}

export async function deleteParked(db: Executor, eventIds: string[]): Promise<void> {
  if (eventIds.length > 0) await db.delete(parkedEvents).where(inArray(parkedEvents.eventId, eventIds));
}

export async function countParked(db: Executor): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(parkedEvents);
  return row?.count ?? 0;
}

export async function countParkedPastDeadline(db: Executor, now: Date): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(parkedEvents)
    .where(lt(parkedEvents.deadlineAt, now));
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
