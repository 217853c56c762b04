import type { Database } from "@fluxnotify/db";
import {
  countParked,
  deleteParked,
  hasParkedWaitingFor,
  lockMovableParked,
  lockParkedWaitingFor,
  type ParkedEvent,
  parkEvent,
  updateParkedWaitingFor,
} from "@fluxnotify/db/queries/ingest";
import { type Domain, domainOfEventType } from "@fluxnotify/shared/contracts";
import { deadLetter, type SourceRecord } from "./dead-letter";
import { decodeRecord } from "./decode";
import type { IngestDeps } from "./deps";
import { processValidEvent, type ValidEvent } from "./process-event";

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

export async function park(deps: IngestDeps, input: ValidEvent, waitingFor: string): Promise<void> {
  const { event, record } = input;
  await parkEvent(deps.db, {
    eventId: event.id,
    tenantId: event.tenantid,
    eventType: input.type,
    waitingFor,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key ?? null,
    value: record.value ?? Buffer.alloc(0),
    headers: record.headers,
    deadlineAt: new Date(deps.now().getTime() + deps.config.parkDeadlineMs),
  });
}

/**
 * Re-processes locked parked events inside `tx`; rows that resolved are deleted, rows
 * still waiting get their new key. The transaction commits only after the commands were
 * acknowledged, so a crash leaves the events parked (and they are re-processed
 * idempotently), never lost.
 */
async function reprocessLocked(deps: IngestDeps, tx: Database, rows: ParkedEvent[], expireAt?: Date) {
  const finished: string[] = [];
  const releasable: Array<{ tenantId: string; keys: string[] }> = [];
  for (const row of rows) {
    const record = recordOf(row);
    const decoded = decodeRecord(record, Number.MAX_SAFE_INTEGER);
    if (decoded.kind !== "valid") {
      finished.push(row.eventId); // validated when parked; cannot happen unless the code changed
      continue;
    }
    const result = await processValidEvent(deps, decoded.event, tx);
    releasable.push({ tenantId: row.tenantId, keys: result.releasable });
    if (result.outcome !== "waiting") {
      deps.metrics.events.inc({ type: row.eventType, outcome: "released" });
      finished.push(row.eventId);
    } else if (expireAt && row.deadlineAt <= expireAt) {
      const domain = (domainOfEventType(row.eventType) ?? "payment") as Domain;
      const waitedSeconds = Math.round((expireAt.getTime() - row.parkedAt.getTime()) / 1000);
      await deadLetter(deps.producer, deps.config.topology.dlq[domain], record, {
        code: "UNRESOLVABLE_RECIPIENT",
        reason: `recipient unresolvable after ${waitedSeconds} s: ${result.reason}`,
        eventId: row.eventId,
      });
      deps.metrics.events.inc({ type: row.eventType, outcome: "dead_lettered" });
      finished.push(row.eventId);
    } else if (result.waitingFor !== row.waitingFor) {
      await updateParkedWaitingFor(tx, row.eventId, result.waitingFor);
    }
  }
  await deleteParked(tx, finished);
  return releasable;
}

/** Releases events parked on any of `keys` (e.g. "order:o-1"), as soon as a mapping lands. */
export async function releaseWaiting(deps: IngestDeps, tenantId: string, keys: string[]): Promise<void> {
  if (!(await hasParkedWaitingFor(deps.db, tenantId, keys))) return;
  const next = await deps.db.transaction(async (tx) => {
    const rows = await lockParkedWaitingFor(tx, tenantId, keys);
    return rows.length === 0 ? [] : reprocessLocked(deps, tx as unknown as Database, rows);
  });
  // A released payment can in turn release refunds waiting for it.
  for (const { tenantId: tenant, keys: more } of next) await releaseWaiting(deps, tenant, more);
}

/**
 * Periodic safety net: releases parked events whose mapping has landed (covers a release
 * that raced with the park, or a crash) and dead-letters those past their deadline.
 */
export async function sweepParked(deps: IngestDeps): Promise<void> {
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    const { source, replay } = deps.config.topology;
    const topics = [...Object.values(source), ...Object.values(replay)];
    const rows = await lockMovableParked(tx, { now, limit: SWEEP_BATCH, topics });
    if (rows.length > 0) await reprocessLocked(deps, tx as unknown as Database, rows, now);
  });
  deps.metrics.parked.set(await countParked(deps.db));
}
