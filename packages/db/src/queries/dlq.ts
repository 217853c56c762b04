import { and, asc, count, desc, eq, inArray, lt, ne, notInArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { dlqMessages } from "../schema/dlq";

export const DLQ_STATUSES = ["PENDING", "RETRIED", "DISCARDED"] as const;
export type DlqStatus = (typeof DLQ_STATUSES)[number];
export type DlqMessage = typeof dlqMessages.$inferSelect;
export type NewDlqMessage = typeof dlqMessages.$inferInsert;

/** The database or an open transaction: queries that must run inside one take either. */
export type DbExecutor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DlqFilter {
  domain?: string | undefined;
  channel?: string | undefined;
  status?: DlqStatus | undefined;
  eventId?: string | undefined;
  errorCode?: string | undefined;
}

/** Written when X-Original-Topic is missing: such a dead letter can be read but not replayed. */
export const UNKNOWN_TOPIC = "unknown";

function filterConditions(filter: DlqFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.domain) conditions.push(eq(dlqMessages.domain, filter.domain));
  if (filter.channel) conditions.push(eq(dlqMessages.channel, filter.channel));
  if (filter.status) conditions.push(eq(dlqMessages.status, filter.status));
  if (filter.eventId) conditions.push(eq(dlqMessages.eventId, filter.eventId));
  if (filter.errorCode) conditions.push(eq(dlqMessages.errorCode, filter.errorCode));
  return conditions;
}

/**
 * Stores one consumed batch in a single statement. A record already stored (the DLQ topic
 * re-read after a restart) is skipped by the (topic, partition, offset) key; returns only
 * the rows this call inserted.
 */
export async function insertDlqMessages(db: DbExecutor, rows: NewDlqMessage[]) {
  if (rows.length === 0) return [];
  return db
    .insert(dlqMessages)
    .values(rows)
    .onConflictDoNothing({ target: [dlqMessages.dlqTopic, dlqMessages.dlqPartition, dlqMessages.dlqOffset] })
    .returning({ id: dlqMessages.id, domain: dlqMessages.domain, channel: dlqMessages.channel });
}

/**
 * Newest first by id. Keyset pagination on the id (`beforeId` = last id of the previous
 * page) stays stable while new dead letters arrive: they get higher ids.
 */
export async function listDlqMessages(
  db: DbExecutor,
  args: { filter: DlqFilter; beforeId?: bigint | undefined; limit: number },
): Promise<DlqMessage[]> {
  const conditions = filterConditions(args.filter);
  if (args.beforeId !== undefined) conditions.push(lt(dlqMessages.id, args.beforeId));
  return db
    .select()
    .from(dlqMessages)
    .where(and(...conditions))
    .orderBy(desc(dlqMessages.id))
    .limit(args.limit);
}

export async function findDlqMessage(db: DbExecutor, id: bigint): Promise<DlqMessage | undefined> {
  const [row] = await db.select().from(dlqMessages).where(eq(dlqMessages.id, id));
  return row;
}

/** Locks one dead letter for the rest of the transaction, so replay and discard serialise. */
export async function lockDlqMessage(tx: DbExecutor, id: bigint): Promise<DlqMessage | undefined> {
  const [row] = await tx.select().from(dlqMessages).where(eq(dlqMessages.id, id)).for("update");
  return row;
}

/**
 * Locks up to `limit` PENDING dead letters whose original topic is in `topics`, oldest
 * first (replays keep their original relative order). Rows another replay holds are skipped.
 */
export async function lockPendingForReplay(
  tx: DbExecutor,
  args: { filter: Omit<DlqFilter, "status">; topics: string[]; limit: number },
): Promise<DlqMessage[]> {
  return tx
    .select()
    .from(dlqMessages)
    .where(
      and(
        eq(dlqMessages.status, "PENDING"),
        inArray(dlqMessages.originalTopic, args.topics),
        ...filterConditions(args.filter),
      ),
    )
    .orderBy(asc(dlqMessages.id))
    .limit(args.limit)
    .for("update", { skipLocked: true });
}

/** PENDING dead letters matching `filter`, split by whether their original topic is in `topics`. */
export async function countPendingByReplayability(
  db: DbExecutor,
  args: { filter: Omit<DlqFilter, "status">; topics: string[] },
): Promise<{ replayable: number; unreplayable: number }> {
  const base = and(eq(dlqMessages.status, "PENDING"), ...filterConditions(args.filter));
  const [replayable] = await db
    .select({ n: count() })
    .from(dlqMessages)
    .where(and(base, inArray(dlqMessages.originalTopic, args.topics)));
  const [unreplayable] = await db
    .select({ n: count() })
    .from(dlqMessages)
    .where(and(base, notInArray(dlqMessages.originalTopic, args.topics)));
  return { replayable: replayable?.n ?? 0, unreplayable: unreplayable?.n ?? 0 };
}

/** Records a replay the broker acknowledged. Re-replaying a RETRIED one counts up again. */
export async function markReplayed(
  tx: DbExecutor,
  args: { ids: bigint[]; by: string },
): Promise<DlqMessage[]> {
  if (args.ids.length === 0) return [];
  return tx
    .update(dlqMessages)
    .set({
      status: "RETRIED",
      replayCount: sql`${dlqMessages.replayCount} + 1`,
      lastReplayedAt: sql`now()`,
      resolvedBy: args.by,
      resolvedAt: sql`now()`,
    })
    .where(and(inArray(dlqMessages.id, args.ids), ne(dlqMessages.status, "DISCARDED")))
    .returning();
}

/**
 * Marks a dead letter DISCARDED (the row stays for audit). Discarding it again changes
 * nothing, so the first resolver stays on record. Returns undefined for an unknown id.
 */
export async function discardDlqMessage(
  db: DbExecutor,
  args: { id: bigint; by: string },
): Promise<{ row: DlqMessage; changed: boolean } | undefined> {
  const [row] = await db
    .update(dlqMessages)
    .set({ status: "DISCARDED", resolvedBy: args.by, resolvedAt: sql`now()` })
    .where(and(eq(dlqMessages.id, args.id), ne(dlqMessages.status, "DISCARDED")))
    .returning();
  if (row) return { row, changed: true };
  const existing = await findDlqMessage(db, args.id);
  return existing ? { row: existing, changed: false } : undefined;
}

/** PENDING count per domain, for the backlog gauge. */
export async function pendingCountsByDomain(db: DbExecutor): Promise<Map<string, number>> {
  const rows = await db
    .select({ domain: dlqMessages.domain, n: count() })
    .from(dlqMessages)
    .where(eq(dlqMessages.status, "PENDING"))
    .groupBy(dlqMessages.domain);
  return new Map(rows.map((row) => [row.domain, row.n]));
}
