import type { Database } from "@fluxnotify/db";
import {
  countPendingByReplayability,
  type DlqFilter,
  type DlqMessage,
  lockDlqMessage,
  lockPendingForReplay,
  markReplayed,
  UNKNOWN_TOPIC,
} from "@fluxnotify/db/queries/dlq";
import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { HttpProblem } from "@fluxnotify/shared/http";
import type { KafkaProducer, OutgoingMessage } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { DlqMetrics } from "./metrics";

export const REPLAY_HEADERS = { from: "x-replayed-from-dlq", count: "x-replay-count" } as const;

const STRIPPED = new Set<string>([...Object.values(DLQ_HEADERS), ...Object.values(REPLAY_HEADERS)]);

export interface ReplayDeps {
  db: Database;
  producer: KafkaProducer;
  /** Topics that exist on the broker (auto-creation is off: a replay elsewhere cannot succeed). */
  listTopics: () => Promise<string[]>;
  metrics: DlqMetrics;
  logger: Logger;
  retryAllMax: number;
  onChanged?: () => void;
}

/**
 * The record as its original consumer first saw it: same topic, key, value and headers,
 * without the dead-letter headers (exact names; the original's own lower-case
 * x-event-id etc. stay), plus where it came from. Kafka partitions by key like the Java
 * client, so a keyed replay lands on its original partition while the partition count is
 * unchanged. A null value cannot be produced by our client; it is replayed as empty.
 */
export function replayRecord(row: DlqMessage): OutgoingMessage {
  const headers = Object.fromEntries(Object.entries(row.headers).filter(([name]) => !STRIPPED.has(name)));
  headers[REPLAY_HEADERS.from] = String(row.id);
  headers[REPLAY_HEADERS.count] = String(row.replayCount + 1);
  return {
    topic: row.originalTopic,
    key: row.key ?? undefined,
    value: row.value ?? Buffer.alloc(0),
    headers,
  };
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
      detail: "the broker did not acknowledge the replay; nothing was marked as retried",
    });
  }
}

/**
 * Replays one dead letter. The row stays locked while the record is produced, so a
 * concurrent discard or retry of the same id waits; it is marked RETRIED only after the
 * broker acknowledged. Should the commit fail after the ack, the record was replayed but
 * stays PENDING: consumers are idempotent, so a second replay is harmless.
 */
export async function retryOne(deps: ReplayDeps, args: { id: bigint; by: string }): Promise<DlqMessage> {
  const topics = await deps.listTopics();
  const row = await deps.db.transaction(async (tx) => {
    const found = await lockDlqMessage(tx, args.id);
    if (!found) throw HttpProblem.notFound(`dead letter ${args.id} does not exist`);
    if (found.status === "DISCARDED") {
      throw HttpProblem.conflict(
        `dead letter ${args.id} was discarded by ${found.resolvedBy ?? "an operator"}`,
      );
    }
    if (found.originalTopic === UNKNOWN_TOPIC) {
      throw unprocessable(
        `dead letter ${args.id} has no ${DLQ_HEADERS.originalTopic} header; its topic is unknown`,
      );
    }
    if (!topics.includes(found.originalTopic)) {
      throw unprocessable(`original topic "${found.originalTopic}" of dead letter ${args.id} does not exist`);
    }
    await publish(deps, [replayRecord(found)]);
    const [updated] = await markReplayed(tx, { ids: [found.id], by: args.by });
    return updated ?? found;
  });
  deps.metrics.replays.inc({ domain: row.domain, mode: "single" });
  deps.logger.info({ id: String(row.id), topic: row.originalTopic, by: args.by }, "dead letter replayed");
  deps.onChanged?.();
  return row;
}

/**
 * Bytes per produce call. The broker refuses a request whose batch for one partition
 * exceeds message.max.bytes (1 MiB by default) and our producer bounds batches by count
 * only, so a bulk replay is split by size; concurrent sends may still coalesce, hence the margin.
 */
const MAX_SEND_BYTES = 256 * 1024;

const sizeOf = (message: OutgoingMessage) =>
  Buffer.byteLength(message.key ?? "") +
  (typeof message.value === "string" ? Buffer.byteLength(message.value) : message.value.byteLength) +
  Object.entries(message.headers ?? {}).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );

function chunkBySize(rows: DlqMessage[]): Array<Array<{ row: DlqMessage; message: OutgoingMessage }>> {
  const chunks: Array<Array<{ row: DlqMessage; message: OutgoingMessage }>> = [];
  let current: Array<{ row: DlqMessage; message: OutgoingMessage }> = [];
  let bytes = 0;
  for (const row of rows) {
    const message = replayRecord(row);
    const size = sizeOf(message) + 64; // record overhead
    if (current.length > 0 && bytes + size > MAX_SEND_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ row, message });
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Replays up to `retryAllMax` PENDING dead letters matching `filter`, in as few sends as
 * the size limit allows, oldest first. Those whose original topic is unknown or missing
 * are left PENDING and counted apart, so they never block progress; concurrent calls take
 * disjoint rows. If the broker fails midway, what it acknowledged is still marked RETRIED.
 */
export async function retryAll(
  deps: ReplayDeps,
  args: { filter: Omit<DlqFilter, "status">; by: string },
): Promise<{ replayed: number; remaining: number; unreplayable: number }> {
  const topics = (await deps.listTopics()).filter((topic) => topic !== UNKNOWN_TOPIC);
  const outcome = await deps.db.transaction(async (tx) => {
    const rows = await lockPendingForReplay(tx, { filter: args.filter, topics, limit: deps.retryAllMax });
    const acked: bigint[] = [];
    let failure: HttpProblem | undefined;
    for (const chunk of chunkBySize(rows)) {
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
    const marked = await markReplayed(tx, { ids: acked, by: args.by });
    return { marked, failure, selected: rows.length };
  });
  const replayed = outcome.marked;
  for (const row of replayed) deps.metrics.replays.inc({ domain: row.domain, mode: "bulk" });
  if (replayed.length > 0) deps.onChanged?.();
  if (outcome.failure) {
    throw new HttpProblem({
      status: 503,
      title: "Service Unavailable",
      detail: `the broker failed after ${replayed.length} of ${outcome.selected} replays; those are marked RETRIED, the rest stay PENDING`,
    });
  }
  const counts = await countPendingByReplayability(deps.db, { filter: args.filter, topics });
  if (replayed.length > 0)
    deps.logger.info({ replayed: replayed.length, ...counts, by: args.by }, "dead letters replayed");
  return { replayed: replayed.length, remaining: counts.replayable, unreplayable: counts.unreplayable };
}
