import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { context, trace } from "@opentelemetry/api";
import { DLQ_HEADERS, ORIGINAL_HEADERS } from "../contracts/dlq";
import { MAX_ORIGINAL_BYTES, ORIGINALS_TOPIC } from "../contracts/topics";
import { classifyFailure } from "../errors";
import type { Logger } from "../logger";
import { ATTR } from "../tracing/attributes";
import { recordFailure, SpanKind, startSpan } from "../tracing/spans";
import { tracingOn } from "../tracing/state";
import { DEFAULT_MAX_RECORD_BYTES, type KafkaProducer, type OutgoingMessage, recordBytes } from "./producer";

export interface DeadLetterWriter {
  /**
   * Produces dead letters, with `alongside` (e.g. FAILED delivery events) in the same
   * request. A dead letter too large for the broker as it is goes out in digest form.
   */
  send(deadLetters: OutgoingMessage[], alongside?: OutgoingMessage[]): Promise<void>;
}

/** Contract headers survive a replacement; the original record's own headers may be what is too big. */
const CONTRACT_HEADERS = new Set(Object.values(DLQ_HEADERS).map((name) => name.toLowerCase()));

/**
 * Writes dead letters so that no record's dead letter can fail for its size (a 2 MiB value
 * the broker accepted compressed, say): such a dead letter keeps its CONTRACT headers, and
 * its value becomes a small JSON document with the original's SHA-256, size and the reason;
 * the original itself goes, gzipped, to the originals topic keyed by that digest, where
 * dlq-admin keeps it for operators (docs/operations.md, "Oversized dead letters").
 */
export function createDeadLetterWriter(options: {
  producer: KafkaProducer;
  logger: Logger;
  maxRecordBytes?: number;
  originalsTopic?: string;
}): DeadLetterWriter {
  const { producer, logger } = options;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const originalsTopic = options.originalsTopic ?? ORIGINALS_TOPIC;

  /** Keeps the original on the originals topic; says where, or why it could not. */
  async function keepOriginal(record: OutgoingMessage, sha256: string): Promise<string> {
    const value = gzipSync(Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value));
    const kept: OutgoingMessage = {
      topic: originalsTopic,
      key: sha256,
      value,
      headers: {
        "content-encoding": "gzip",
        [DLQ_HEADERS.valueSha256]: sha256,
        [DLQ_HEADERS.valueBytes]: String(Buffer.byteLength(record.value)),
        [ORIGINAL_HEADERS.dlqTopic]: record.topic,
      },
    };
    if (recordBytes(kept) > MAX_ORIGINAL_BYTES) {
      return `no: ${value.byteLength} bytes gzipped, over the ${MAX_ORIGINAL_BYTES}-byte limit of ${originalsTopic}; see X-Original-Topic/Partition/Offset while retained`;
    }
    await producer.send([kept], { maxRecordBytes: MAX_ORIGINAL_BYTES });
    return originalsTopic;
  }

  async function digestForm(record: OutgoingMessage): Promise<OutgoingMessage> {
    const bytes = Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const kept = await keepOriginal(record, sha256);
    const headers = Object.fromEntries(
      Object.entries(record.headers ?? {}).filter(([name]) => CONTRACT_HEADERS.has(name.toLowerCase())),
    );
    const reason = `dead letter of ${recordBytes(record)} bytes is over the ${maxRecordBytes}-byte record limit`;
    logger.warn(
      { topic: record.topic, bytes: bytes.byteLength, sha256, kept },
      "dead letter too large; writing its digest form",
    );
    const key = record.key !== undefined && Buffer.byteLength(record.key) <= 4_096 ? record.key : undefined;
    return {
      topic: record.topic,
      key,
      partition: record.partition,
      trace: record.trace,
      value: JSON.stringify({ replaced: "oversized", sha256, bytes: bytes.byteLength, reason, kept }),
      headers: {
        ...headers,
        [DLQ_HEADERS.valueReplaced]: "oversized",
        [DLQ_HEADERS.valueSha256]: sha256,
        [DLQ_HEADERS.valueBytes]: String(bytes.byteLength),
        [DLQ_HEADERS.originalKept]: kept,
      },
    };
  }

  const fits = (record: OutgoingMessage) => recordBytes(record) <= maxRecordBytes;

  async function write(deadLetters: OutgoingMessage[], alongside: OutgoingMessage[]): Promise<void> {
    const fitted = await Promise.all(deadLetters.map((r) => (fits(r) ? r : digestForm(r))));
    try {
      await producer.send([...fitted, ...alongside]);
    } catch (error) {
      // The broker's limit is lower than ours: every dead letter goes in digest form.
      if (classifyFailure(error).code !== "RECORD_TOO_LARGE") throw error;
      const digests = await Promise.all(fitted.map(digestForm));
      await producer.send([...digests, ...alongside]);
    }
  }

  return {
    async send(deadLetters, alongside = []) {
      if (!tracingOn()) return write(deadLetters, alongside);
      // Every dead letter of every consumer is written here: one span each, in the trace of
      // the record it is the dead letter of (its `trace`, else the caller's), which the dead
      // letter then carries on (and a replay of it after).
      const spans = deadLetters.map((record) =>
        startSpan(
          `dead_letter ${record.topic}`,
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              [ATTR.deadLetterTopic]: record.topic,
              [ATTR.reasonCode]: String(record.headers?.[DLQ_HEADERS.errorCode] ?? "UNKNOWN"),
            },
          },
          record.trace,
        ),
      );
      const traced = deadLetters.map((record, index) => {
        const span = spans[index];
        return span ? { ...record, trace: trace.setSpan(record.trace ?? context.active(), span) } : record;
      });
      try {
        await write(traced, alongside);
      } catch (error) {
        for (const span of spans) if (span) recordFailure(span, error);
        throw error;
      } finally {
        for (const span of spans) span?.end();
      }
    },
  };
}
