import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  ilike,
  inArray,
  isNull,
  lt,
  lte,
  max,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Database } from "../client";
import { dlqAudit, dlqMessages, dlqOriginals } from "../schema/dlq";

export const DLQ_STATUSES = ["PENDING", "REPLAYED", "RESOLVED", "DISCARDED"] as const;
export type DlqStatus = (typeof DLQ_STATUSES)[number];
export type DlqMessage = typeof dlqMessages.$inferSelect;
export type NewDlqMessage = typeof dlqMessages.$inferInsert;
export type DlqAuditEntry = typeof dlqAudit.$inferSelect;
export type DlqAction = "STORED" | "REPLAYED" | "RESOLVED" | "FAILED_AGAIN" | "DISCARDED";

/** The database or an open transaction: queries that must run inside one take either. */
export type DbExecutor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DlqFilter {
  /**
   * Only this tenant's dead letters. Undefined: every tenant's, including those whose
   * tenant could not be read (an operator's view, CONTRACT §4).
   */
  tenantId?: string | undefined;
  domain?: string | undefined;
  channel?: string | undefined;
  status?: DlqStatus | undefined;
  eventId?: string | undefined;
  notificationId?: string | undefined;
  errorCode?: string | undefined;
  /** Case-insensitive substring of the error message. */
  errorText?: string | undefined;
  failedFrom?: Date | undefined;
  failedTo?: Date | undefined;
}

/** Written when X-Original-Topic is missing: such a dead letter can be read but not replayed. */
export const UNKNOWN_TOPIC = "unknown";

/** The actor of what the platform observed itself (a replay delivered, failed again). */
export const SYSTEM_ACTOR = "system";

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterConditions(filter: DlqFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.tenantId !== undefined) conditions.push(eq(dlqMessages.tenantId, filter.tenantId));
  if (filter.domain) conditions.push(eq(dlqMessages.domain, filter.domain));
  if (filter.channel) conditions.push(eq(dlqMessages.channel, filter.channel));
  if (filter.status) conditions.push(eq(dlqMessages.status, filter.status));
  if (filter.eventId) conditions.push(eq(dlqMessages.eventId, filter.eventId));
  if (filter.notificationId) conditions.push(eq(dlqMessages.notificationId, filter.notificationId));
  if (filter.errorCode) conditions.push(eq(dlqMessages.errorCode, filter.errorCode));
  if (filter.errorText) conditions.push(ilike(dlqMessages.errorMessage, likePattern(filter.errorText)));
  if (filter.failedFrom) conditions.push(gte(dlqMessages.failedAt, filter.failedFrom));
  if (filter.failedTo) conditions.push(lt(dlqMessages.failedAt, filter.failedTo));
  return conditions;
}

export async function appendAudit(
  db: DbExecutor,
  entries: Array<{ dlqMessageId: bigint; action: DlqAction; actor: string; detail?: string | null }>,
): Promise<void> {
  if (entries.length > 0) await db.insert(dlqAudit).values(entries);
}

/**
 * Stores one consumed batch: one insert, one audit insert. A record already stored (the DLQ
 * topic re-read after a restart) is skipped by the (topic, partition, offset) key. A dead
 * letter that is the failed replay of an earlier one is noted on the earlier one's trail.
 * Returns only the rows this call inserted.
 */
export async function insertDlqMessages(db: DbExecutor, rows: NewDlqMessage[]) {
  if (rows.length === 0) return [];
  const inserted = await db
    .insert(dlqMessages)
    .values(rows)
    .onConflictDoNothing({ target: [dlqMessages.dlqTopic, dlqMessages.dlqPartition, dlqMessages.dlqOffset] })
    .returning({
      id: dlqMessages.id,
      domain: dlqMessages.domain,
      channel: dlqMessages.channel,
      replayOf: dlqMessages.replayOf,
    });
  const replayed = inserted.filter((row) => row.replayOf !== null);
  const known = new Set(
    replayed.length === 0
      ? []
      : (
          await db
            .select({ id: dlqMessages.id })
            .from(dlqMessages)
            .where(
              inArray(
                dlqMessages.id,
                replayed.map((row) => row.replayOf as bigint),
              ),
            )
        ).map((row) => row.id),
  );
  await appendAudit(db, [
    ...inserted.map((row) => ({ dlqMessageId: row.id, action: "STORED" as const, actor: SYSTEM_ACTOR })),
    ...replayed
      .filter((row) => known.has(row.replayOf as bigint))
      .map((row) => ({
        dlqMessageId: row.replayOf as bigint,
        action: "FAILED_AGAIN" as const,
        actor: SYSTEM_ACTOR,
        detail: `the replay failed again: dead letter ${row.id}`,
      })),
  ]);
  return inserted;
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

/** How many dead letters match `filter`, per domain and channel (null = an ingest failure). */
export async function dlqTotals(
  db: DbExecutor,
  filter: DlqFilter,
): Promise<Array<{ domain: string; channel: string | null; count: number }>> {
  return db
    .select({ domain: dlqMessages.domain, channel: dlqMessages.channel, count: count() })
    .from(dlqMessages)
    .where(and(...filterConditions(filter)))
    .groupBy(dlqMessages.domain, dlqMessages.channel)
    .orderBy(asc(dlqMessages.domain), asc(dlqMessages.channel));
}

/** One dead letter by id: the tenant condition makes another tenant's look like a missing one. */
const byId = (id: bigint, tenantId: string | undefined) =>
  and(eq(dlqMessages.id, id), ...(tenantId === undefined ? [] : [eq(dlqMessages.tenantId, tenantId)]));

export async function findDlqMessage(
  db: DbExecutor,
  id: bigint,
  tenantId?: string | undefined,
): Promise<DlqMessage | undefined> {
  const [row] = await db.select().from(dlqMessages).where(byId(id, tenantId));
  return row;
}

export async function auditTrail(db: DbExecutor, id: bigint): Promise<DlqAuditEntry[]> {
  return db.select().from(dlqAudit).where(eq(dlqAudit.dlqMessageId, id)).orderBy(asc(dlqAudit.id));
}

/** Ids of the dead letters that failed replays of `id` produced. */
export async function replaysOf(db: DbExecutor, id: bigint): Promise<bigint[]> {
  const rows = await db
    .select({ id: dlqMessages.id })
    .from(dlqMessages)
    .where(eq(dlqMessages.replayOf, id))
    .orderBy(asc(dlqMessages.id));
  return rows.map((row) => row.id);
}

/** Locks one dead letter for the rest of the transaction, so replay and discard serialise. */
export async function lockDlqMessage(
  tx: DbExecutor,
  id: bigint,
  tenantId?: string | undefined,
): Promise<DlqMessage | undefined> {
  const [row] = await tx.select().from(dlqMessages).where(byId(id, tenantId)).for("update");
  return row;
}

/** The highest dead-letter id so far: a bulk replay's snapshot of what is already there. */
export async function latestDlqId(db: DbExecutor): Promise<bigint> {
  const [row] = await db.select({ id: max(dlqMessages.id) }).from(dlqMessages);
  return row?.id ?? 0n;
}

/**
 * Which dead letters a bulk replay may take: PENDING, matching `filter`, at most `upTo`
 * (its snapshot, so the new dead letters its own failed replays produce are not taken in
 * the same call) and after `afterId` (where its previous batch ended, so no dead letter is
 * taken twice in one call).
 */
export interface ReplayWindow {
  filter: Omit<DlqFilter, "status">;
  upTo: bigint;
  afterId?: bigint | undefined;
}

const windowConditions = (window: ReplayWindow) => [
  eq(dlqMessages.status, "PENDING"),
  lte(dlqMessages.id, window.upTo),
  ...(window.afterId === undefined ? [] : [gt(dlqMessages.id, window.afterId)]),
  ...filterConditions(window.filter),
];

/**
 * Locks up to `limit` dead letters of `window` whose original topic is in `topics`, oldest
 * first (replays keep their original relative order). Rows another replay holds are
 * skipped, so concurrent bulk replays take disjoint rows. NO KEY UPDATE is what the update
 * that marks them needs, and unlike FOR UPDATE it lets the dead letters of failed replays
 * be stored meanwhile (their audit row's foreign key takes KEY SHARE on the original).
 */
/**
 * A dead letter whose value was replaced by its digest (too large to dead-letter as it was;
 * X-Value-Replaced) cannot be replayed: there is nothing to replay but the digest.
 */
const valueKept = sql`not (${dlqMessages.headers} ? ${DLQ_HEADERS.valueReplaced})`;

export async function lockPendingForReplay(
  tx: DbExecutor,
  args: ReplayWindow & { topics: string[]; limit: number },
): Promise<DlqMessage[]> {
  return tx
    .select()
    .from(dlqMessages)
    .where(and(...windowConditions(args), inArray(dlqMessages.originalTopic, args.topics), valueKept))
    .orderBy(asc(dlqMessages.id))
    .limit(args.limit)
    .for("no key update", { skipLocked: true });
}

/**
 * Dead letters of `window` still PENDING, split by whether their original topic is in
 * `topics`. Rows another call holds locked are not counted: that call is replaying them.
 * FOR SHARE SKIP LOCKED is how a reader tells them apart: it skips rows a replay holds
 * (NO KEY UPDATE) and, held only for this statement, blocks nobody's inserts.
 */
export async function countPendingByReplayability(
  db: DbExecutor,
  args: ReplayWindow & { topics: string[] },
): Promise<{ replayable: number; unreplayable: number }> {
  const unlocked = db
    .select({
      originalTopic: dlqMessages.originalTopic,
      valueKept: sql<boolean>`${valueKept}`.as("value_kept"),
    })
    .from(dlqMessages)
    .where(and(...windowConditions(args)))
    .for("share", { skipLocked: true })
    .as("unlocked");
  const replayable =
    args.topics.length === 0
      ? sql<boolean>`false`
      : and(inArray(unlocked.originalTopic, args.topics), sql`${unlocked.valueKept}`);
  const [row] = await db
    .select({
      replayable: sql<number>`count(*) filter (where ${replayable})`.mapWith(Number),
      unreplayable: sql<number>`count(*) filter (where not ${replayable})`.mapWith(Number),
    })
    .from(unlocked);
  return { replayable: row?.replayable ?? 0, unreplayable: row?.unreplayable ?? 0 };
}

/**
 * Records a replay the broker acknowledged: PENDING or REPLAYED → REPLAYED, replay count
 * up. The status condition makes the transition conditional, so a row discarded or
 * resolved meanwhile is left alone.
 */
export async function markReplayed(
  tx: DbExecutor,
  args: { ids: bigint[]; by: string; target: (row: DlqMessage) => string },
): Promise<DlqMessage[]> {
  if (args.ids.length === 0) return [];
  const rows = await tx
    .update(dlqMessages)
    .set({
      status: "REPLAYED",
      replayCount: sql`${dlqMessages.replayCount} + 1`,
      lastReplayedAt: sql`now()`,
      resolvedBy: args.by,
      resolvedAt: sql`now()`,
    })
    .where(and(inArray(dlqMessages.id, args.ids), inArray(dlqMessages.status, ["PENDING", "REPLAYED"])))
    .returning();
  await appendAudit(
    tx,
    rows.map((row) => ({
      dlqMessageId: row.id,
      action: "REPLAYED" as const,
      actor: args.by,
      detail: `replay ${row.replayCount} to ${args.target(row)}`,
    })),
  );
  return rows;
}

/**
 * REPLAYED → RESOLVED for replays whose outcome arrived; returns those changed.
 * `ingestOnly` limits it to dead letters of the ingest stage (no channel).
 */
export async function markResolved(
  db: DbExecutor,
  args: { ids: bigint[]; detail: string; ingestOnly?: boolean },
): Promise<DlqMessage[]> {
  if (args.ids.length === 0) return [];
  const rows = await db
    .update(dlqMessages)
    .set({ status: "RESOLVED" })
    .where(
      and(
        inArray(dlqMessages.id, args.ids),
        eq(dlqMessages.status, "REPLAYED"),
        ...(args.ingestOnly ? [isNull(dlqMessages.channel)] : []),
      ),
    )
    .returning();
  await appendAudit(
    db,
    rows.map((row) => ({
      dlqMessageId: row.id,
      action: "RESOLVED" as const,
      actor: SYSTEM_ACTOR,
      detail: args.detail,
    })),
  );
  return rows;
}

/**
 * Marks a PENDING or REPLAYED dead letter DISCARDED (the row stays for audit). Otherwise
 * nothing changes and the row is returned as it is: discarding twice keeps the first
 * resolver and reason on record. Returns undefined for an unknown id.
 */
export async function discardDlqMessage(
  db: DbExecutor,
  args: { id: bigint; tenantId?: string | undefined; by: string; reason: string },
): Promise<{ row: DlqMessage; changed: boolean } | undefined> {
  const [row] = await db
    .update(dlqMessages)
    .set({ status: "DISCARDED", resolvedBy: args.by, resolvedAt: sql`now()`, discardReason: args.reason })
    .where(and(byId(args.id, args.tenantId), inArray(dlqMessages.status, ["PENDING", "REPLAYED"])))
    .returning();
  if (row) {
    await appendAudit(db, [
      { dlqMessageId: row.id, action: "DISCARDED", actor: args.by, detail: args.reason },
    ]);
    return { row, changed: true };
  }
  const existing = await findDlqMessage(db, args.id, args.tenantId);
  return existing ? { row: existing, changed: false } : undefined;
}

/**
 * What a bulk replay of `window` would take, counted without locking anything (a dry run):
 * every PENDING match, and those of them it can replay (original topic in `topics`, value
 * kept). Rows another call is replaying right now are counted too: they still match.
 */
export async function countPendingMatches(
  db: DbExecutor,
  args: ReplayWindow & { topics: string[] },
): Promise<{ matched: number; replayable: number }> {
  const replayable =
    args.topics.length === 0
      ? sql<boolean>`false`
      : and(inArray(dlqMessages.originalTopic, args.topics), valueKept);
  const [row] = await db
    .select({
      matched: sql<number>`count(*)`.mapWith(Number),
      replayable: sql<number>`count(*) filter (where ${replayable})`.mapWith(Number),
    })
    .from(dlqMessages)
    .where(and(...windowConditions(args)));
  return { matched: row?.matched ?? 0, replayable: row?.replayable ?? 0 };
}

export interface PendingSummary {
  pending: number;
  oldestPendingAt: Date | null;
  byDomain: Array<{ domain: string; pending: number; oldestPendingAt: Date | null }>;
}

/**
 * Depth and age of the PENDING backlog of a tenant (undefined: every tenant's, those
 * without a readable tenant included), per domain; age is the oldest failure's time.
 * One statement over the pending rows (dlq_messages_status_idx), which stay few.
 */
export async function pendingSummary(db: DbExecutor, tenantId: string | undefined): Promise<PendingSummary> {
  const rows = await db
    .select({
      domain: dlqMessages.domain,
      pending: count(),
      // As ISO text: the driver's own timestamp text is not one Date parses everywhere.
      oldest: sql<
        string | null
      >`to_char(min(${dlqMessages.failedAt}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    })
    .from(dlqMessages)
    .where(
      and(
        eq(dlqMessages.status, "PENDING"),
        ...(tenantId === undefined ? [] : [eq(dlqMessages.tenantId, tenantId)]),
      ),
    )
    .groupBy(dlqMessages.domain)
    .orderBy(asc(dlqMessages.domain));
  const byDomain = rows.map((row) => ({
    domain: row.domain,
    pending: row.pending,
    oldestPendingAt: row.oldest === null ? null : new Date(row.oldest),
  }));
  const oldest = byDomain
    .map((d) => d.oldestPendingAt)
    .filter((d): d is Date => d !== null)
    .sort((x, y) => x.getTime() - y.getTime())[0];
  return {
    pending: byDomain.reduce((sum, d) => sum + d.pending, 0),
    oldestPendingAt: oldest ?? null,
    byDomain,
  };
}

export interface PendingBacklogRow {
  domain: string;
  /** The channel that failed; null for dead letters of other stages (ingest, the projection). */
  channel: string | null;
  pending: number;
  /** When the oldest of them failed. */
  oldestFailedAt: Date;
}

/**
 * PENDING count and oldest failure per domain and channel, for the backlog gauges: one
 * statement over the pending rows (dlq_messages_status_idx), which stay few. Only PENDING is
 * a backlog: REPLAYED rows whose replay failed again stay REPLAYED for good (their new dead
 * letter is the PENDING one), and RESOLVED/DISCARDED are history that only grows.
 */
export async function pendingBacklog(db: DbExecutor): Promise<PendingBacklogRow[]> {
  const rows = await db
    .select({
      domain: dlqMessages.domain,
      channel: dlqMessages.channel,
      pending: count(),
      // Epoch milliseconds: exact, and no timestamp text to parse.
      oldest: sql<string>`(extract(epoch from min(${dlqMessages.failedAt})) * 1000)::bigint`,
    })
    .from(dlqMessages)
    .where(eq(dlqMessages.status, "PENDING"))
    .groupBy(dlqMessages.domain, dlqMessages.channel);
  return rows.map((row) => ({
    domain: row.domain,
    channel: row.channel,
    pending: row.pending,
    oldestFailedAt: new Date(Number(row.oldest)),
  }));
}

export type NewDlqOriginal = typeof dlqOriginals.$inferInsert;

/** Stores originals; one already stored (a redelivery, or the same bytes twice) is kept as is. */
export async function insertDlqOriginals(db: DbExecutor, rows: NewDlqOriginal[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(dlqOriginals)
    .values(rows)
    .onConflictDoNothing()
    .returning({ sha256: dlqOriginals.sha256 });
  return inserted.length;
}

export async function findDlqOriginal(db: DbExecutor, sha256: string) {
  const [row] = await db.select().from(dlqOriginals).where(eq(dlqOriginals.sha256, sha256)).limit(1);
  return row;
}
