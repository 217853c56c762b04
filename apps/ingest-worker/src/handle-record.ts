import { parkEvents } from "@fluxnotify/db/queries/ingest";
import type { Domain } from "@fluxnotify/shared/contracts";
import type { OutgoingMessage, PoisonFailure } from "@fluxnotify/shared/kafka";
import { deadLetterRecord, type SourceRecord } from "./dead-letter";
import { decodeRecord, identityOf } from "./decode";
import type { IngestDeps } from "./deps";
import { alreadyKnown, parkedRow, releaseWaiting } from "./parking";
import { processEvents, type ValidEvent } from "./process-event";

/**
 * Handles one fetched batch of FluxPay records. Every path ends in a durable state before
 * it returns (commands acknowledged and the transaction committed, events parked in
 * PostgreSQL, or records dead-lettered), so the runner may commit the offsets. A throw is
 * judged by the runner: transient (retried; idempotency makes that safe) or permanent (the
 * batch is bisected until the record it belongs to stands alone, then dead-lettered
 * through `deadLetterPoison`).
 */
export async function handleRecords(
  deps: IngestDeps,
  topicDomain: Domain,
  records: SourceRecord[],
): Promise<void> {
  const valid: ValidEvent[] = [];
  const deadLetters: Array<{ record: OutgoingMessage; type: string }> = [];
  for (const record of records) {
    const decoded = decodeRecord(record, deps.config.maxEventBytes);
    if (decoded.kind === "unknown_type") {
      deps.metrics.events.inc({ type: decoded.type.slice(0, 100), outcome: "unknown_type" });
      deps.logger.info(
        { type: decoded.type.slice(0, 200), topic: record.topic, offset: record.offset.toString() },
        "unknown event type skipped",
      );
    } else if (decoded.kind === "invalid") {
      deadLetters.push({
        record: deadLetterRecord(deps.config.topology.dlq[topicDomain], record, decoded),
        type: decoded.type ?? "invalid",
      });
      deps.logger.warn(
        {
          code: decoded.code,
          reason: decoded.reason,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset.toString(),
        },
        "event dead-lettered",
      );
    } else {
      valid.push(decoded.event);
    }
  }
  if (valid.length > 0) await routeValid(deps, valid);
  // Written after the rest of the batch is durable: an attempt that fails writes none, so a
  // retried or bisected batch never dead-letters the same record twice.
  if (deadLetters.length > 0) {
    await deps.deadLetters.send(deadLetters.map((entry) => entry.record));
    for (const { type } of deadLetters) deps.metrics.events.inc({ type, outcome: "dead_lettered" });
  }
}

/** Claims, routes and parks the valid events of a batch in one transaction. */
async function routeValid(deps: IngestDeps, valid: ValidEvent[]): Promise<void> {
  const results = await deps.sql.begin(async (tx) => {
    const processed = await processEvents(deps, tx, valid);
    const toPark = valid.flatMap((input, index) => {
      const result = processed[index];
      return result?.outcome === "waiting" ? [parkedRow(deps, input, result.waitingFor)] : [];
    });
    if (toPark.length > 0) {
      deps.parked.mayExist = true;
      deps.parked.parks++;
    }
    await parkEvents(tx, toPark);
    return processed;
  });

  const release = new Map<string, Set<string>>();
  const releaseLater = (tenantId: string, keys: string[]) => {
    if (keys.length > 0) release.set(tenantId, new Set([...(release.get(tenantId) ?? []), ...keys]));
  };
  const parked: Array<{ tenantId: string; waitingFor: string }> = [];
  results.forEach((result, index) => {
    const input = valid[index];
    if (!input) return;
    const tenantId = input.event.tenantid;
    deps.metrics.events.inc({
      type: input.type,
      outcome: result.outcome === "waiting" ? "parked" : result.outcome,
    });
    releaseLater(tenantId, result.releasable);
    if (result.outcome === "waiting") parked.push({ tenantId, waitingFor: result.waitingFor });
  });
  // Releasing parked events is a shortcut: the batch is done whatever happens here, and
  // the sweeper releases what this misses. A failure here must not re-run (or blame) the
  // batch whose mapping merely woke them.
  if (!deps.parked.mayExist) return;
  try {
    for (const { tenantId, waitingFor } of await alreadyKnown(deps.sql, parked))
      releaseLater(tenantId, [waitingFor]);
    for (const [tenantId, keys] of release) await releaseWaiting(deps, tenantId, [...keys]);
  } catch (error) {
    deps.logger.warn({ err: error }, "releasing parked events failed; the sweeper will retry");
  }
}

/** The runner's dead-letter for a record isolated as poison (see handleRecords). */
export function deadLetterPoison(deps: IngestDeps, topicDomain: Domain) {
  return async (record: SourceRecord, failure: PoisonFailure): Promise<void> => {
    const identity = identityOf(record);
    await deps.deadLetters.send([
      deadLetterRecord(deps.config.topology.dlq[topicDomain], record, { ...failure, ...identity }),
    ]);
    deps.metrics.events.inc({ type: "unprocessable", outcome: "dead_lettered" });
  };
}
