import { isMappingKnown } from "@fluxnotify/db/queries/ingest";
import type { Domain } from "@fluxnotify/shared/contracts";
import { deadLetter, type SourceRecord } from "./dead-letter";
import { decodeRecord } from "./decode";
import type { IngestDeps } from "./deps";
import { park, releaseWaiting } from "./parking";
import { processValidEvent } from "./process-event";

/**
 * Handles one record of a FluxPay topic. Every path ends in a durable state before it
 * returns (commands acknowledged, event parked in PostgreSQL, or record dead-lettered), so
 * the runner may commit the offset; anything else throws and is retried.
 */
export async function handleRecord(
  deps: IngestDeps,
  topicDomain: Domain,
  record: SourceRecord,
): Promise<void> {
  const decoded = decodeRecord(record, deps.config.maxEventBytes);
  if (decoded.kind === "unknown_type") {
    deps.metrics.events.inc({ type: decoded.type.slice(0, 100), outcome: "unknown_type" });
    deps.logger.info(
      { type: decoded.type, topic: record.topic, offset: record.offset.toString() },
      "unknown event type skipped",
    );
    return;
  }
  if (decoded.kind === "invalid") {
    await deadLetter(deps.producer, deps.config.topology.dlq[topicDomain], record, decoded);
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
    return;
  }
  const { event } = decoded;
  const result = await processValidEvent(deps, event);
  if (result.outcome === "waiting") {
    await park(deps, event, result.waitingFor);
    deps.metrics.events.inc({ type: event.type, outcome: "parked" });
    // The mapping may have landed between the lookup and the park.
    if (await isMappingKnown(deps.db, event.event.tenantid, result.waitingFor)) {
      await releaseWaiting(deps, event.event.tenantid, [result.waitingFor]);
    }
  } else {
    deps.metrics.events.inc({ type: event.type, outcome: result.outcome });
  }
  await releaseWaiting(deps, event.event.tenantid, result.releasable);
}
