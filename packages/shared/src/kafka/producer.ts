import type { Registry } from "prom-client";
import type { Logger } from "../logger";
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
  key?: string | undefined;
  value: Buffer | string;
  headers?: Record<string, string>;
  partition?: number;
}

export interface KafkaProducer {
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(messages: OutgoingMessage[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Idempotent producer (acks=all, no duplicates on internal retries) that coalesces
 * concurrent `send` calls made within `lingerMs` into one produce request: concurrent
 * handlers then share round trips instead of queueing behind the single in-flight request
 * an idempotent producer allows. Keys are partitioned like the Java client, so FluxPay's
 * records and our replays of them land on the same partitions.
 */
export function createProducer(options: {
  connection: KafkaConnection;
  logger: Logger;
  registry: Registry;
  lingerMs?: number;
  maxBatchMessages?: number;
  /** Stay well under the broker's message.max.bytes (1 MiB) per request. */
  maxBatchBytes?: number;
}): KafkaProducer {
  const lingerMs = options.lingerMs ?? 2;
  const maxBatch = options.maxBatchMessages ?? 1000;
  const maxBytes = options.maxBatchBytes ?? 512 * 1024;
  const metrics = kafkaMetrics(options.registry);
  const producer = new Producer({
    ...baseClientOptions(options.connection),
    idempotent: true,
    partitioner: compatibilityPartitioner,
    serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
  });

  let queue: Pending[] = [];
  let queuedMessages = 0;
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    queuedMessages = 0;
    queuedBytes = 0;
    if (batch.length === 0) return;
    const messages = batch.flatMap((pending) =>
      pending.messages.map((message) => ({
        topic: message.topic,
        key: message.key,
        value: typeof message.value === "string" ? Buffer.from(message.value) : message.value,
        headers: message.headers,
        partition: message.partition,
      })),
    );
    // Chained, so batches are produced in the order their sends were called.
    flushing = flushing.then(async () => {
      try {
        await producer.send({ messages });
        metrics.produceBatchSize.observe(messages.length);
        for (const message of messages) metrics.produced.inc({ topic: message.topic });
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const message of messages) metrics.produceErrors.inc({ topic: message.topic });
        options.logger.warn({ err: error, messages: messages.length }, "produce request failed");
        for (const pending of batch) pending.reject(error);
      }
    });
  };

  return {
    send(messages) {
      if (closed) return Promise.reject(new Error("producer is closed"));
      if (messages.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value) + (m.key?.length ?? 0), 0);
        // A send that would push the batch past the byte cap goes into the next request.
        if (queue.length > 0 && queuedBytes + bytes > maxBytes) flush();
        queue.push({ messages, resolve, reject });
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
      await flushing;
      await producer.close();
    },
  };
}
