import type { Database } from "@fluxnotify/db";
import { parkEvents } from "@fluxnotify/db/queries/ingest";
import type { Domain } from "@fluxnotify/shared/contracts";
import type { OutgoingMessage } from "@fluxnotify/shared/kafka";
import { deadLetterRecord, type SourceRecord } from "./dead-letter";
import { decodeRecord } from "./decode";
import type { IngestDeps } from "./deps";
import { alreadyKnown, parkedRow, releaseWaiting } from "./parking";
import { processEvents, type ValidEvent } from "./process-event";

/**
 * Handles one fetched batch of FluxPay records. Every path ends in a durable state before
 * it returns (commands acknowledged and the transaction committed, events parked in
 * PostgreSQL, or records dead-lettered), so the runner may commit the offsets; anything
 * else throws and the batch is retried, which idempotency makes safe.
 */
export async function handleRecords(
  deps: IngestDeps,
  topicDomain: Domain,
  records: SourceRecord[],
): Promise<void> {
  const valid: ValidEvent[] = [];
  const deadLetters: OutgoingMessage[] = [];
  for (const record of records) {
    const decoded = decodeRecord(record, deps.config.maxEventBytes);
    if (decoded.kind === "unknown_type") {
      deps.metrics.events.inc({ type: decoded.type.slice(0, 100), outcome: "unknown_type" });
      deps.logger.info(
        { type: decoded.type, topic: record.topic, offset: record.offset.toString() },
        "unknown event type skipped",
      );
    } else if (decoded.kind === "invalid") {
      deadLetters.push(deadLetterRecord(deps.config.topology.dlq[topicDomain], record, decoded));
      deps.metrics.events.inc({ type: decoded.type ?? "invalid", outcome: "dead_lettered" });
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
  if (deadLetters.length > 0) await deps.producer.send(deadLetters);
  if (valid.length === 0) return;

  const results = await deps.db.transaction(async (tx) => {
    const processed = await processEvents(deps, tx as unknown as Database, valid);
    await parkEvents(
      tx,
      valid.flatMap((input, index) => {
        const result = processed[index];
        return result?.outcome === "waiting" ? [parkedRow(deps, input, result.waitingFor)] : [];
      }),
    );
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
  for (const { tenantId, waitingFor } of await alreadyKnown(deps.db, parked))
    releaseLater(tenantId, [waitingFor]);
  for (const [tenantId, keys] of release) await releaseWaiting(deps, tenantId, [...keys]);
}
