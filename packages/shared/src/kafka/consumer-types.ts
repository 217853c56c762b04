import type { Context } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import { decodeUtf8 } from "../contracts/json";
import type { Logger } from "../logger";
import type { KafkaConnection, Message } from "./client";

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: bigint;
  /** The key as text (lossily decoded when it is not UTF-8: see `encodingProblems`). */
  key: string | undefined;
  /** The key's bytes exactly as received: what a dead letter or replay must carry. */
  keyBytes?: Buffer | undefined;
  value: Buffer | undefined;
  /** Header values as text (lossily decoded when not UTF-8: see `encodingProblems`). */
  headers: Record<string, string>;
  timestamp: Date;
  /**
   * Which parts of the record were not valid UTF-8 ("key", "header ce_tenantid"): a
   * consumer that reads them as text must refuse the record rather than act on U+FFFD.
   */
  encodingProblems?: string[] | undefined;
  /**
   * Tracing on: the context of this record's consumer span (in the trace its `traceparent`
   * continues, or a new one), set by the runner before the handler runs. What a handler does
   * for this record, and what it produces for it, continues from here.
   */
  trace?: Context | undefined;
}

interface CommonOptions {
  connection: KafkaConnection;
  groupId: string;
  topics: string[];
  logger: Logger;
  registry: Registry;
  /** Where a partition without a committed offset starts. */
  startFrom?: "earliest" | "latest";
  commitIntervalMs?: number;
  maxWaitTimeMs?: number;
  /** Bytes a fetch waits for (up to maxWaitTimeMs) before returning. */
  minBytes?: number;
  sessionTimeoutMs?: number;
  lagIntervalMs?: number;
  /**
   * Where a record goes that fails for a reason no retry can fix (see `classifyFailure`),
   * once it has been isolated from the rest of its batch: its dead letter. Without one, the
   * record is logged with its coordinates, counted and skipped, so it cannot stop the
   * partition either. A throw here is retried with backoff.
   */
  deadLetter?: (message: ConsumedMessage, failure: PoisonFailure) => Promise<void>;
  /** A partition with work whose commit position has not moved for this long is stalled. */
  stallAfterMs?: number;
  /** Tracing on: whether record keys may be span attributes (not where a key names a user). */
  traceKeys?: boolean;
}

/** Why a record was isolated as poison: a stable code and the error's message. */
export interface PoisonFailure {
  code: string;
  reason: string;
}

/** A partition that has work and made no progress for `stallAfterMs`. */
export interface StalledPartition {
  topic: string;
  partition: number;
  /** Seconds since its commit position last moved. */
  stalledSeconds: number;
  /** Records fetched and not yet done. */
  pending: number;
}

/** Messages handled concurrently (up to `concurrency`), in order per key. */
export interface EachMessageOptions extends CommonOptions {
  handler: (message: ConsumedMessage) => Promise<void>;
  concurrency?: number;
}

/** Messages handled in batches of what one fetch returned, one batch at a time. */
export interface BatchOptions extends CommonOptions {
  batchHandler: (messages: ConsumedMessage[]) => Promise<void>;
  maxBatchSize?: number;
  /**
   * How long a batch smaller than maxBatchSize waits for more records before it is handled
   * (once per batch; 0 = never): fewer, larger transactions at moderate rates, for at most
   * this much added latency. Under load batches fill without waiting.
   */
  batchLingerMs?: number;
}

export type ConsumerRunnerOptions = EachMessageOptions | BatchOptions;

export interface ConsumerRunner {
  /** Joins the group and starts consuming; resolves once the first stream is open. */
  start(): Promise<void>;
  /** Stops taking new messages (in-flight ones finish); fetching stops by backpressure. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Stop fetching → drain in-flight work (bounded) → final commit → leave the group. */
  stop(drainTimeoutMs?: number): Promise<void>;
  isHealthy(): boolean;
  lag(): Promise<Record<string, number>>;
  /** Partitions with work that made no progress for `stallAfterMs` (while not paused). */
  stalled(): StalledPartition[];
  /** Commits the contiguous done prefix now (tests and shutdown). */
  commit(): Promise<void>;
}

/**
 * Keys and header values arrive as bytes and are decoded strictly: bytes that are not
 * UTF-8 are noted in `encodingProblems` (and decoded lossily for display), never silently
 * turned into U+FFFD that a consumer would then deliver as if it had been sent.
 */
export function toConsumed(message: Message<Buffer, Buffer, string, Buffer>): ConsumedMessage {
  const problems: string[] = [];
  const text = (bytes: Buffer, what: string) => {
    const decoded = decodeUtf8(bytes);
    if (decoded !== undefined) return decoded;
    problems.push(what);
    return bytes.toString("utf8");
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headers) {
    headers[name] = value ? text(value, `header ${name}`) : "";
  }
  const keyBytes = message.key ?? undefined;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: keyBytes === undefined ? undefined : text(keyBytes, "key"),
    keyBytes,
    value: message.value ?? undefined,
    headers,
    timestamp: new Date(Number(message.timestamp)),
    ...(problems.length > 0 ? { encodingProblems: problems } : {}),
  };
}

/**
 * Readiness detail for consumers: the partitions that stalled (CONTRACT §3), if any. A
 * stall does not fail readiness (restarting would not help and would move the partition),
 * it marks the process degraded so /readyz shows it next to the metric.
 */
export function stallDetail(runners: Array<Pick<ConsumerRunner, "stalled">>) {
  const stalledPartitions = runners.flatMap((runner) => runner.stalled());
  return stalledPartitions.length > 0 ? { degraded: true, stalledPartitions } : {};
}
