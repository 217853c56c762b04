import type { Context } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import { classifyFailure, NonRetryableError } from "../errors";
import type { Logger } from "../logger";
import { withTraceHeaders } from "../tracing/propagation";
import { tracingOn } from "../tracing/state";
import {
  baseClientOptions,
  compatibilityPartitioner,
  type KafkaConnection,
  Producer,
  stringSerializer,
} from "./client";
import { kafkaMetrics } from "./metrics";

export interface OutgoingMessage {
  topic: string;
  /** Text, or the exact bytes of a consumed key (dead letters and replays keep them). */
  key?: string | Buffer | undefined;
  value: Buffer | string;
  /** Values are text, or bytes (tests of what other producers may send). */
  headers?: Record<string, string | Buffer>;
  partition?: number;
  /**
   * The trace this record continues (its span's context), for a caller that sends records
   * of many traces at once; otherwise the caller's active context is. Never sent as such:
   * the producer writes it as the record's `traceparent`/`tracestate` (tracing on only).
   */
  trace?: Context | undefined;
}

/**
 * The one place trace headers are put on produced records: each record continues its own
 * `trace`, or the context active where `send` was called (not where the lingered request
 * goes out, which is no one's). Records sent with no span active keep the headers they
 * have (a replay keeps its dead letter's, so it continues that trace).
 */
function withTrace(messages: OutgoingMessage[]): OutgoingMessage[] {
  if (!tracingOn()) return messages;
  return messages.map((message) => {
    const headers = withTraceHeaders(message.headers, message.trace);
    return headers === message.headers ? message : { ...message, headers };
  });
}

/**
 * What the broker accepts in one record by default (message.max.bytes is 1 MiB for a whole
 * record batch, framing included), with room for the batch overhead.
 */
export const DEFAULT_MAX_RECORD_BYTES = 1_000_000;

/** A record's size on the wire, near enough to compare with the broker's limit. */
export function recordBytes(message: OutgoingMessage): number {
  let bytes = 64 + Buffer.byteLength(message.value) + (message.key ? Buffer.byteLength(message.key) : 0);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += 8 + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
}

/** A record larger than the broker accepts: no retry can send it as it is. */
export class RecordTooLargeError extends NonRetryableError {
  constructor(topic: string, bytes: number, limit: number) {
    super("RECORD_TOO_LARGE", `record for ${topic} is ${bytes} bytes, over the ${limit}-byte record limit`);
  }
}

const bytesSerializer = (data?: string | Buffer) =>
  data === undefined ? undefined : typeof data === "string" ? Buffer.from(data) : data;

export interface KafkaProducer {
  /**
   * Resolves once every message is acknowledged by all in-sync replicas. A record over
   * the record limit (`maxRecordBytes`, here or the producer's) is refused at once with a
   * RecordTooLargeError, before it can fail a request shared with other callers' records.
   */
  send(messages: OutgoingMessage[], options?: { maxRecordBytes?: number }): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  messages: OutgoingMessage[];
  /** Their size as recordBytes counts it, for the request's byte cap. */
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

type Compression = "none" | "gzip" | "zstd" | "lz4" | "snappy";

function kafkaClient(connection: KafkaConnection, compression: Compression | undefined) {
  return new Producer({
    ...baseClientOptions(connection),
    idempotent: true,
    partitioner: compatibilityPartitioner,
    ...(compression ? { compression } : {}),
    serializers: { key: bytesSerializer, headerKey: stringSerializer, headerValue: bytesSerializer },
  });
}

/** What the wrapper calls of @platformatic/kafka's Producer. */
export type ProducerClient = Pick<ReturnType<typeof kafkaClient>, "send" | "metadata" | "close">;

/**
 * Idempotent producer (acks=all, no duplicates on internal retries) that coalesces
 * concurrent `send` calls made within `lingerMs`, or while the previous request is in
 * flight, into one produce request: concurrent handlers then share round trips instead of
 * queueing behind the single in-flight request this wrapper allows. Keys are partitioned
 * like the Java client, so FluxPay's records and our replays of them land on the same
 * partitions.
 */
export function createProducer(options: {
  connection: KafkaConnection;
  logger: Logger;
  registry: Registry;
  lingerMs?: number;
  maxBatchMessages?: number;
  /** Stay well under the broker's message.max.bytes (1 MiB) per request. */
  maxBatchBytes?: number;
  /** Records over this size are refused before they can fail a request shared with others. */
  maxRecordBytes?: number;
  /** Batch compression, as upstream producers may use (records are sized uncompressed here). */
  compression?: Compression;
  /** The broker client; a stand-in only in unit tests of the batching itself. */
  client?: ProducerClient;
}): KafkaProducer {
  // A few ms let concurrent handlers' sends share one request: at moderate rates that is
  // what keeps the broker's cost per record down (a request each costs it ~as much as many).
  const lingerMs = options.lingerMs ?? options.connection.producerLingerMs ?? 5;
  const maxBatch = options.maxBatchMessages ?? 1000;
  const maxBytes = options.maxBatchBytes ?? 512 * 1024;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const metrics = kafkaMetrics(options.registry);
  const producer = options.client ?? kafkaClient(options.connection, options.compression);

  const queue: Pending[] = [];
  let queuedMessages = 0;
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;

  /** One request; never rejects (its callers' promises settle instead). */
  const produce = async (batch: Pending[]): Promise<void> => {
    const messages = batch.flatMap((pending) =>
      pending.messages.map((message) => ({
        topic: message.topic,
        key: message.key,
        value: typeof message.value === "string" ? Buffer.from(message.value) : message.value,
        headers: message.headers,
        partition: message.partition,
      })),
    );
    try {
      await producer.send({ messages });
      metrics.produceBatchSize.observe(messages.length);
      for (const message of messages) metrics.produced.inc({ topic: message.topic });
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const message of messages) metrics.produceErrors.inc({ topic: message.topic });
      options.logger.warn({ err: error, messages: messages.length }, "produce request failed");
      // The broker refused the request for one record's size (its limit is lower than
      // ours): send each caller's records alone, so only the caller whose record it is fails.
      if (batch.length > 1 && classifyFailure(error).code === "RECORD_TOO_LARGE") {
        for (const pending of batch) await produce([pending]);
        return;
      }
      for (const pending of batch) pending.reject(error);
    }
  };

  /** The queued sends that fit one request (at least one), oldest first. */
  const takeBatch = (): Pending[] => {
    let messages = 0;
    let bytes = 0;
    let count = 0;
    for (const pending of queue) {
      if (count > 0 && (messages + pending.messages.length > maxBatch || bytes + pending.bytes > maxBytes))
        break;
      messages += pending.messages.length;
      bytes += pending.bytes;
      count++;
    }
    const batch = queue.splice(0, count);
    queuedMessages -= messages;
    queuedBytes -= bytes;
    return batch;
  };

  // One request at a time, in the order the sends were called; what queues while it is in
  // flight leaves as the next request the moment it completes. A request to a replicated
  // cluster (acks=all) takes several linger periods: flushing on the timer alone would chain
  // one tiny request per period behind it, and throughput would fall to a few records per
  // round trip (on the three-node cluster, ~60 records/s with a backlog of seconds).
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (inFlight || queue.length === 0) return;
    inFlight = produce(takeBatch()).finally(() => {
      inFlight = undefined;
      flush();
    });
  };

  return {
    send(sent, sendOptions) {
      if (closed) return Promise.reject(new Error("producer is closed"));
      if (sent.length === 0) return Promise.resolve();
      const messages = withTrace(sent);
      const limit = sendOptions?.maxRecordBytes ?? maxRecordBytes;
      let bytes = 0;
      for (const message of messages) {
        const size = recordBytes(message);
        if (size > limit) return Promise.reject(new RecordTooLargeError(message.topic, size, limit));
        bytes += size;
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ messages, bytes, resolve, reject });
        queuedMessages += messages.length;
        queuedBytes += bytes;
        if (queuedMessages >= maxBatch || queuedBytes >= maxBytes) flush();
        else timer ??= setTimeout(flush, lingerMs);
      });
    },
    async ping() {
      await producer.metadata({ topics: [] });
    },
    async close() {
      closed = true;
      flush();
      while (inFlight) await inFlight;
      await producer.close();
    },
  };
}
