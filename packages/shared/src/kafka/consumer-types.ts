import type { Registry } from "prom-client";
import type { Logger } from "../logger";
import type { KafkaConnection, Message } from "./client";

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | undefined;
  value: Buffer | undefined;
  headers: Record<string, string>;
  timestamp: Date;
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
  /** Commits the contiguous done prefix now (tests and shutdown). */
  commit(): Promise<void>;
}

export function toConsumed(message: Message<string, Buffer, string, string>): ConsumedMessage {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key ?? undefined,
    value: message.value ?? undefined,
    headers: Object.fromEntries(message.headers),
    timestamp: new Date(Number(message.timestamp)),
  };
}
