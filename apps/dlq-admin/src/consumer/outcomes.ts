import type { Database } from "@fluxnotify/db";
import { markResolved } from "@fluxnotify/db/queries/dlq";
import { parseDeliveryEvent, REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { DlqMetrics } from "../metrics";

const MAX_ID = 9_223_372_036_854_775_807n;

function replayIdOf(message: ConsumedMessage): bigint | undefined {
  const raw = message.headers[REPLAY_HEADERS.of];
  if (!raw || !/^\d{1,19}$/.test(raw)) return undefined;
  const id = BigInt(raw);
  return id <= MAX_ID ? id : undefined;
}

/**
 * Batch handler for the replay-outcomes topic: learns how replays ended. Our workers copy
 * there every delivery event they produce for a replayed message, with its `X-Replay-Of`. SENT or SKIPPED settles any dead letter; PENDING settles one of the ingest stage
 * (the replayed event was routed; its sends are new notifications with their own fate).
 * FAILED settles nothing: the new dead letter, linked through `replayOf`, tells that story.
 */
export function createOutcomeHandler(deps: { db: Database; logger: Logger; metrics: DlqMetrics }) {
  return async function recordOutcomes(messages: ConsumedMessage[]): Promise<void> {
    const delivered = new Set<bigint>();
    const routed = new Set<bigint>();
    for (const message of messages) {
      const id = replayIdOf(message);
      if (id === undefined) continue;
      const parsed = parseDeliveryEvent(message.value);
      if (!parsed.ok) continue; // the read model's projection reports malformed events
      const { status } = parsed.value;
      if (status === "SENT" || status === "SKIPPED") delivered.add(id);
      else if (status === "PENDING") routed.add(id);
    }
    if (delivered.size === 0 && routed.size === 0) return;
    const resolved = await deps.db.transaction(async (tx) => [
      ...(await markResolved(tx, { ids: [...delivered], detail: "the replay was delivered" })),
      ...(await markResolved(tx, {
        ids: [...routed].filter((id) => !delivered.has(id)),
        detail: "the replayed event was routed to its channels",
        ingestOnly: true,
      })),
    ]);
    for (const row of resolved) deps.metrics.resolved.inc({ domain: row.domain });
    if (resolved.length > 0) {
      deps.logger.info({ ids: resolved.map((row) => String(row.id)) }, "replayed dead letters resolved");
    }
  };
}
