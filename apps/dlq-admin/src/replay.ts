import type { Database } from "@fluxnotify/db";
import {
  countPendingByReplayability,
  countPendingMatches,
  type DlqFilter,
  type DlqMessage,
  latestDlqId,
  lockDlqMessage,
  lockPendingForReplay,
  markReplayed,
  type ReplayWindow,
  UNKNOWN_TOPIC,
} from "@fluxnotify/db/queries/dlq";
import { DLQ_HEADERS, REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import { HttpProblem } from "@fluxnotify/shared/http";
import type { KafkaProducer, OutgoingMessage } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import {
  ATTR,
  type Context,
  extractTraceContext,
  markSpan,
  SpanKind,
  tracingOn,
} from "@fluxnotify/shared/tracing";
import { chunkBySize } from "./chunk";
import type { DlqMetrics } from "./metrics";

const STRIPPED = new Set<string>([...Object.values(DLQ_HEADERS), ...Object.values(REPLAY_HEADERS)]);

export interface ReplayDeps {
  db: Database;
  producer: KafkaProducer;
  /** Topics that exist on the broker (auto-creation is off: a replay elsewhere cannot succeed). */
  listTopics: () => Promise<string[]>;
  /** Original topic → where its dead letters are replayed (see `replayTargets`). */
  replayTargets: Record<string, string>;
  metrics: DlqMetrics;
  logger: Logger;
  /** Upper bound of dead letters one retry-all call replays. */
  retryAllMax: number;
  /** Dead letters per retry-all transaction (one lock set, one or a few produce calls). */
  retryAllBatch?: number;
  onChanged?: () => void;
}

/**
 * The record as its consumer first saw it: same key, value and headers, without the
 * dead-letter headers (exact names; the original's own lower-case x-event-id etc. stay),
 * plus `X-Replay-Of`/`X-Replay-Count`. It goes to `target`: never to a FluxPay topic.
 * Kafka partitions by key like the Java client, so a keyed replay of a command lands on
 * its original partition while the partition count is unchanged. A null value cannot be
 * produced by our client; it is replayed as empty.
 */
export function replayRecord(row: DlqMessage, target: string): OutgoingMessage {
  const headers = Object.fromEntries(Object.entries(row.headers).filter(([name]) => !STRIPPED.has(name)));
  headers[REPLAY_HEADERS.of] = String(row.id);
  headers[REPLAY_HEADERS.count] = String(row.replayCount + 1);
  const trace = replaySpan(row, target);
  return { topic: target, key: row.key ?? undefined, value: row.value ?? Buffer.alloc(0), headers, trace };
}

/**
 * Tracing on: a span of the replay in the dead letter's trace (its `traceparent` names the
 * dead-lettering span), which the replayed record then continues, so the second try shows
 * up in the same trace as the first. Its context, or undefined with tracing off.
 */
function replaySpan(row: DlqMessage, target: string): Context | undefined {
  if (!tracingOn()) return undefined;
  return markSpan(
    `replay ${target}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR.dlqId]: String(row.id),
        [ATTR.replayCount]: row.replayCount + 1,
        [ATTR.reasonCode]: row.headers[DLQ_HEADERS.errorCode] ?? "UNKNOWN",
      },
    },
    extractTraceContext(row.headers),
  );
}

const unprocessable = (detail: string) =>
  new HttpProblem({ status: 422, title: "Unprocessable Content", detail });

async function publish(deps: ReplayDeps, messages: OutgoingMessage[]): Promise<void> {
  try {
    await deps.producer.send(messages);
  } catch (error) {
    deps.logger.error({ err: error, messages: messages.length }, "replay was not acknowledged");
    throw new HttpProblem({
      status: 503,
      title: "Service Unavailable",
      detail: "the broker did not acknowledge the replay; nothing was marked as replayed",
    });
  }
}

/** Original topics whose replay target exists on the broker right now. */
async function replayableOriginals(deps: ReplayDeps): Promise<string[]> {
  const existing = new Set(await deps.listTopics());
  return Object.entries(deps.replayTargets)
    .filter(([, target]) => existing.has(target))
    .map(([original]) => original);
}

function targetOf(deps: ReplayDeps, row: DlqMessage): string {
  return deps.replayTargets[row.originalTopic] ?? row.originalTopic;
}

/**
 * Replays one dead letter. The row stays locked while the record is produced, so a
 * concurrent discard or retry of the same id waits; it is marked REPLAYED only after the
 * broker acknowledged. Should the commit fail after the ack, the record was replayed but
 * stays PENDING: consumers are idempotent, so a second replay is harmless.
 */
export async function retryOne(
  deps: ReplayDeps,
  args: { id: bigint; tenantId: string | undefined; by: string },
): Promise<DlqMessage> {
  const replayable = new Set(await replayableOriginals(deps));
  const row = await deps.db.transaction(async (tx) => {
    const found = await lockDlqMessage(tx, args.id, args.tenantId);
    if (!found) throw HttpProblem.notFound(`dead letter ${args.id} does not exist`);
    if (found.status === "DISCARDED") {
      throw HttpProblem.conflict(
        `dead letter ${args.id} was discarded by ${found.resolvedBy ?? "an operator"}; it cannot be replayed`,
      );
    }
    if (found.status === "RESOLVED") {
      throw HttpProblem.conflict(`dead letter ${args.id} is resolved: its replay was delivered`);
    }
    if (found.headers[DLQ_HEADERS.valueReplaced]) {
      throw HttpProblem.conflict(
        `dead letter ${args.id} holds only the digest of a value too large to dead-letter; fetch the original (GET …/${args.id}/original), fix its producer, and discard this one`,
      );
    }
    if (found.originalTopic === UNKNOWN_TOPIC) {
      throw unprocessable(
        `dead letter ${args.id} has no ${DLQ_HEADERS.originalTopic} header; its topic is unknown`,
      );
    }
    const target = deps.replayTargets[found.originalTopic];
    if (!target) {
      throw unprocessable(
        `dead letter ${args.id} failed on "${found.originalTopic}", which is not a topic this platform replays to`,
      );
    }
    if (!replayable.has(found.originalTopic)) {
      throw unprocessable(`replay topic "${target}" of dead letter ${args.id} does not exist`);
    }
    await publish(deps, [replayRecord(found, target)]);
    const [updated] = await markReplayed(tx, { ids: [found.id], by: args.by, target: () => target });
    return updated ?? found;
  });
  deps.metrics.replays.inc({ domain: row.domain, mode: "single" });
  deps.logger.info({ id: String(row.id), topic: targetOf(deps, row), by: args.by }, "dead letter replayed");
  deps.onChanged?.();
  return row;
}

/**
 * One batch of a bulk replay, in its own transaction: lock (skipping rows another call
 * holds), produce, mark. If the broker fails midway, what it acknowledged is still marked.
 */
async function replayBatch(
  deps: ReplayDeps,
  args: { window: ReplayWindow; by: string; topics: string[]; limit: number },
) {
  return deps.db.transaction(async (tx) => {
    const rows = await lockPendingForReplay(tx, { ...args.window, topics: args.topics, limit: args.limit });
    const acked: bigint[] = [];
    let failure: HttpProblem | undefined;
    for (const chunk of chunkBySize(
      rows.map((row) => ({ row, message: replayRecord(row, targetOf(deps, row)) })),
    )) {
      try {
        await publish(
          deps,
          chunk.map((entry) => entry.message),
        );
      } catch (error) {
        failure = error as HttpProblem;
        break;
      }
      acked.push(...chunk.map((entry) => entry.row.id));
    }
    const marked = await markReplayed(tx, { ids: acked, by: args.by, target: (row) => targetOf(deps, row) });
    return { marked, failure, selected: rows.length, lastId: rows.at(-1)?.id };
  });
}

/**
 * Replays the dead letters PENDING when the call begins that match `filter`, oldest first,
 * in batches until none is left or `retryAllMax` were replayed. The snapshot (the highest id
 * at the start) keeps out what arrives meanwhile, above all the new dead letters of this
 * call's own replays failing again: without it a call replays its own results until the cap.
 * Each batch starts after the previous one's last id, so no dead letter is taken twice in
 * one call. Those whose topic cannot be replayed are left PENDING and counted apart, so they
 * never block progress. Two operators calling at once replay disjoint rows (row locks skip
 * what the other holds; transitions are conditional).
 */
export async function retryAll(
  deps: ReplayDeps,
  args: { filter: Omit<DlqFilter, "status">; by: string },
): Promise<{ replayed: number; remaining: number; unreplayable: number }> {
  const topics = (await replayableOriginals(deps)).filter((topic) => topic !== UNKNOWN_TOPIC);
  const batchSize = deps.retryAllBatch ?? 200;
  const window: ReplayWindow = { filter: args.filter, upTo: await latestDlqId(deps.db) };
  let replayed = 0;
  while (replayed < deps.retryAllMax) {
    const limit = Math.min(batchSize, deps.retryAllMax - replayed);
    const batch = await replayBatch(deps, { window, by: args.by, topics, limit });
    replayed += batch.marked.length;
    for (const row of batch.marked) deps.metrics.replays.inc({ domain: row.domain, mode: "bulk" });
    if (batch.failure) {
      if (replayed > 0) deps.onChanged?.();
      throw new HttpProblem({
        status: 503,
        title: "Service Unavailable",
        detail: `the broker failed after ${replayed} replays; those are marked REPLAYED, the rest stay PENDING`,
      });
    }
    if (batch.selected < limit || batch.lastId === undefined) break;
    window.afterId = batch.lastId;
  }
  if (replayed > 0) deps.onChanged?.();
  const counts = await countPendingByReplayability(deps.db, {
    filter: args.filter,
    upTo: window.upTo,
    topics,
  });
  if (replayed > 0) deps.logger.info({ replayed, ...counts, by: args.by }, "dead letters replayed");
  return { replayed, remaining: counts.replayable, unreplayable: counts.unreplayable };
}

/**
 * retry-all's dry run: what a call with the same filters would take now, replaying and
 * locking nothing. `replayable` leaves out what a real call would count as unreplayable.
 */
export async function previewRetryAll(
  deps: ReplayDeps,
  args: { filter: Omit<DlqFilter, "status"> },
): Promise<{ matched: number; replayable: number }> {
  const topics = (await replayableOriginals(deps)).filter((topic) => topic !== UNKNOWN_TOPIC);
  return countPendingMatches(deps.db, { filter: args.filter, upTo: await latestDlqId(deps.db), topics });
}
