import {
  countParked,
  deleteParked,
  findOrderUsers,
  findPaymentOrders,
  hasParkedWaitingFor,
  lockMovableParked,
  lockParkedEvent,
  lockParkedWaitingFor,
  type NewParkedEvent,
  type ParkedEvent,
  pairKey,
  type SqlExecutor,
  updateParkedWaitingFor,
} from "@fluxnotify/db/queries/ingest";
import { type Domain, domainOfEventType, toStorableText } from "@fluxnotify/shared/contracts";
import { classifyFailure } from "@fluxnotify/shared/errors";
import type { OutgoingMessage } from "@fluxnotify/shared/kafka";
import { deadLetterRecord, type SourceRecord } from "./dead-letter";
import { decodeRecord } from "./decode";
import type { IngestDeps } from "./deps";
import { processEvents, type ValidEvent } from "./process-event";

const SWEEP_BATCH = 200;

function recordOf(row: ParkedEvent): SourceRecord {
  return {
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    key: row.key ?? undefined,
    value: row.value,
    headers: row.headers,
  };
}

/**
 * The row that parks `input` until the mapping `waitingFor` is learned or its deadline
 * passes. The event itself was checked at decode; the key and headers are metadata that
 * may hold anything, so they are stored in a form PostgreSQL text and jsonb accept.
 */
export function parkedRow(deps: IngestDeps, input: ValidEvent, waitingFor: string): NewParkedEvent {
  const { event, record } = input;
  const headers = Object.fromEntries(
    Object.entries(record.headers).map(([name, value]) => [toStorableText(name), toStorableText(value)]),
  );
  return {
    eventId: event.id,
    tenantId: event.tenantid,
    eventType: input.type,
    waitingFor,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key === undefined ? null : toStorableText(record.key),
    value: record.value ?? Buffer.alloc(0),
    headers,
    deadlineAt: new Date(deps.now().getTime() + deps.config.parkDeadlineMs),
  };
}

/**
 * Of the keys events were just parked on, those whose mapping is known by now: it landed
 * (on another partition or topic) between the lookup and the park, so nothing else would
 * release them before the sweeper. Two queries for the whole batch.
 */
export async function alreadyKnown(
  db: SqlExecutor,
  parked: Array<{ tenantId: string; waitingFor: string }>,
): Promise<Array<{ tenantId: string; waitingFor: string }>> {
  const split = (prefix: string) =>
    parked
      .filter((p) => p.waitingFor.startsWith(prefix))
      .map((p): [string, string] => [p.tenantId, p.waitingFor.slice(prefix.length)]);
  const [orders, payments] = await Promise.all([
    findOrderUsers(db, split("order:")),
    findPaymentOrders(db, split("payment:")),
  ]);
  return parked.filter(({ tenantId, waitingFor }) => {
    if (waitingFor.startsWith("order:")) return orders.has(pairKey(tenantId, waitingFor.slice(6)));
    if (waitingFor.startsWith("payment:")) return payments.has(pairKey(tenantId, waitingFor.slice(8)));
    return false;
  });
}

/**
 * Re-processes locked parked events inside `tx`; rows that resolved are deleted, rows
 * still waiting get their new key. The transaction commits only after the commands were
 * acknowledged, so a crash leaves the events parked (and they are re-processed
 * idempotently), never lost.
 */
type Releasable = Array<{ tenantId: string; keys: string[] }>;

async function reprocessLocked(
  deps: IngestDeps,
  tx: SqlExecutor,
  rows: ParkedEvent[],
  expireAt?: Date,
): Promise<Releasable> {
  const finished: string[] = [];
  const deadLetters: OutgoingMessage[] = [];
  const releasable: Releasable = [];
  const decodable: Array<{ row: ParkedEvent; input: ValidEvent }> = [];
  const moved: Array<{ eventId: string; waitingFor: string }> = [];
  for (const row of rows) {
    const decoded = decodeRecord(recordOf(row), Number.MAX_SAFE_INTEGER);
    if (decoded.kind === "valid") decodable.push({ row, input: decoded.event });
    else finished.push(row.eventId); // validated when parked; cannot happen unless the code changed
  }
  const results = await processEvents(
    deps,
    tx,
    decodable.map((entry) => entry.input),
  );
  decodable.forEach(({ row }, index) => {
    const result = results[index];
    if (!result) return;
    releasable.push({ tenantId: row.tenantId, keys: result.releasable });
    if (result.outcome !== "waiting") {
      deps.metrics.events.inc({ type: row.eventType, outcome: "released" });
      finished.push(row.eventId);
    } else if (expireAt && row.deadlineAt <= expireAt) {
      const domain = (domainOfEventType(row.eventType) ?? "payment") as Domain;
      const waitedSeconds = Math.round((expireAt.getTime() - row.parkedAt.getTime()) / 1000);
      deadLetters.push(
        deadLetterRecord(deps.config.topology.dlq[domain], recordOf(row), {
          code: "UNRESOLVABLE_RECIPIENT",
          reason: `recipient unresolvable after ${waitedSeconds} s: ${result.reason}`,
          eventId: row.eventId,
        }),
      );
      deps.metrics.events.inc({ type: row.eventType, outcome: "dead_lettered" });
      finished.push(row.eventId);
    } else if (result.waitingFor !== row.waitingFor) {
      moved.push({ eventId: row.eventId, waitingFor: result.waitingFor });
    }
  });
  if (deadLetters.length > 0) await deps.deadLetters.send(deadLetters);
  for (const { eventId, waitingFor } of moved) await updateParkedWaitingFor(tx, eventId, waitingFor);
  await deleteParked(tx, finished);
  return releasable;
}

/** Releases events parked on any of `keys` (e.g. "order:o-1"), as soon as a mapping lands. */
export async function releaseWaiting(deps: IngestDeps, tenantId: string, keys: string[]): Promise<void> {
  if (!(await hasParkedWaitingFor(deps.sql, tenantId, keys))) return;
  const next = (await deps.sql.begin(async (tx) => {
    const rows = await lockParkedWaitingFor(tx, tenantId, keys);
    return rows.length === 0 ? [] : reprocessLocked(deps, tx, rows);
  })) as Releasable;
  // A released payment can in turn release refunds waiting for it.
  for (const { tenantId: tenant, keys: more } of next) await releaseWaiting(deps, tenant, more);
}

/**
 * Periodic safety net: releases parked events whose mapping has landed (covers a release
 * that raced with the park, or a crash) and dead-letters those past their deadline.
 */
export async function sweepParked(deps: IngestDeps): Promise<void> {
  const now = deps.now();
  const { source, replay } = deps.config.topology;
  const topics = [...Object.values(source), ...Object.values(replay)];
  try {
    await deps.sql.begin(async (tx) => {
      const rows = await lockMovableParked(tx, { now, limit: SWEEP_BATCH, topics });
      if (rows.length > 0) await reprocessLocked(deps, tx, rows, now);
    });
  } catch (error) {
    if (classifyFailure(error).kind !== "permanent") throw error;
    // One parked event the database refuses must not wedge the sweep (it is ordered by
    // park time, so the same rows come first every time): find it one row at a time.
    await sweepOneByOne(deps, now, topics);
  }
  const parksBefore = deps.parked.parks;
  const parkedNow = await countParked(deps.sql);
  deps.metrics.parked.set(parkedNow);
  // None left (and none parked here while counting): batches need not look for them.
  if (parkedNow === 0 && deps.parked.parks === parksBefore) deps.parked.mayExist = false;
}

async function sweepOneByOne(deps: IngestDeps, now: Date, topics: string[]): Promise<void> {
  const candidates = await lockMovableParked(deps.sql, { now, limit: SWEEP_BATCH, topics });
  for (const { eventId } of candidates) {
    await deps.sql.begin(async (tx) => {
      const row = await lockParkedEvent(tx, eventId);
      if (!row) return; // released meanwhile
      try {
        // A savepoint: the row's failure rolls back its own work, not the dead-lettering below.
        await tx.savepoint((inner) => reprocessLocked(deps, inner, [row], now));
      } catch (error) {
        const verdict = classifyFailure(error);
        if (verdict.kind !== "permanent") throw error;
        const domain = (domainOfEventType(row.eventType) ?? "payment") as Domain;
        await deps.deadLetters.send([
          deadLetterRecord(deps.config.topology.dlq[domain], recordOf(row), {
            code: verdict.code,
            reason: `parked event cannot be processed: ${verdict.reason}`,
            eventId: row.eventId,
            tenantId: row.tenantId,
          }),
        ]);
        deps.metrics.events.inc({ type: row.eventType, outcome: "dead_lettered" });
        await deleteParked(tx, [row.eventId]);
      }
    });
  }
}
