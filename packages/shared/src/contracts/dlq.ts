import type { ConsumedMessage } from "../kafka/consumer-types";
/** Dead-letter record headers (CONTRACT §3). Values are strings; times ISO-8601. */
export const DLQ_HEADERS = {
  errorMessage: "X-Error-Message",
  errorCode: "X-Error-Code",
  retryCount: "X-Retry-Count",
  originalTopic: "X-Original-Topic",
  originalPartition: "X-Original-Partition",
  originalOffset: "X-Original-Offset",
  channel: "X-Channel",
  eventId: "X-Event-Id",
  failedAt: "X-Failed-At",
  notificationId: "X-Notification-Id",
  /** The tenant the record belongs to, where it can be read (admins see their own tenant's). */
  tenantId: "X-Tenant-Id",
  /** Set when the value was too large to dead-letter as it is and was replaced by a digest. */
  valueReplaced: "X-Value-Replaced",
  valueSha256: "X-Value-Sha256",
  valueBytes: "X-Value-Bytes",
  /** Where the replaced original was kept (the originals topic), or why it was not. */
  originalKept: "X-Original-Kept",
} as const;

/** Headers of a record on the originals topic (beside X-Value-Sha256 and X-Value-Bytes). */
export const ORIGINAL_HEADERS = {
  /** The dead-letter topic whose record carries the digest of this original. */
  dlqTopic: "X-Dlq-Topic",
} as const;

/** Kafka header values are bytes; keep messages short enough for any broker/client limit. */
const MAX_HEADER_CHARS = 2_000;

export interface DeadLetterInfo {
  errorMessage: string;
  errorCode?: string;
  retryCount: number;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  channel?: string;
  eventId?: string;
  notificationId?: string;
  tenantId?: string;
  failedAt?: Date;
}

export function deadLetterHeaders(info: DeadLetterInfo): Record<string, string> {
  const headers: Record<string, string> = {
    [DLQ_HEADERS.errorMessage]: info.errorMessage.slice(0, MAX_HEADER_CHARS),
    [DLQ_HEADERS.retryCount]: String(info.retryCount),
    [DLQ_HEADERS.originalTopic]: info.originalTopic,
    [DLQ_HEADERS.originalPartition]: String(info.originalPartition),
    [DLQ_HEADERS.originalOffset]: info.originalOffset,
    [DLQ_HEADERS.failedAt]: (info.failedAt ?? new Date()).toISOString(),
  };
  if (info.errorCode) headers[DLQ_HEADERS.errorCode] = info.errorCode;
  if (info.channel) headers[DLQ_HEADERS.channel] = info.channel;
  if (info.eventId) headers[DLQ_HEADERS.eventId] = info.eventId;
  if (info.notificationId) headers[DLQ_HEADERS.notificationId] = info.notificationId;
  if (info.tenantId) headers[DLQ_HEADERS.tenantId] = info.tenantId;
  return headers;
}

/** Where a record was read and what it was: what a dead letter of it keeps. */
export type DeadLetterSource = Pick<
  ConsumedMessage,
  "topic" | "partition" | "offset" | "key" | "keyBytes" | "value" | "headers" | "trace"
>;

/**
 * The dead letter of `source` for `dlqTopic`: its original key (the exact bytes), value and
 * headers, with the CONTRACT §3 headers (its coordinates and `info`) on top. Every consumer
 * builds its dead letters here, so they all look the same.
 */
export function deadLetterOf(
  dlqTopic: string,
  source: DeadLetterSource,
  info: Omit<DeadLetterInfo, "originalTopic" | "originalPartition" | "originalOffset">,
) {
  return {
    topic: dlqTopic,
    key: source.keyBytes ?? source.key,
    value: source.value ?? Buffer.alloc(0),
    headers: withDeadLetterHeaders(source.headers, {
      ...info,
      originalTopic: source.topic,
      originalPartition: source.partition,
      originalOffset: source.offset.toString(),
    }),
    // Tracing on: the dead letter continues its record's trace, even when dead letters of a
    // batch's many records go out together (the writer's dead_letter span sits in between).
    trace: source.trace,
  };
}

/**
 * A dead letter's headers: the original record's, with the CONTRACT §3 headers on top.
 * Kafka header names are case-sensitive, so an original `x-event-id` would sit beside our
 * `X-Event-Id`: any original header that names the same thing in another case is dropped,
 * and each header appears once.
 */
export function withDeadLetterHeaders(
  original: Readonly<Record<string, string>>,
  info: DeadLetterInfo,
): Record<string, string> {
  const added = deadLetterHeaders(info);
  const ours = new Set(Object.keys(added).map((name) => name.toLowerCase()));
  const kept = Object.entries(original).filter(([name]) => !ours.has(name.toLowerCase()));
  return { ...Object.fromEntries(kept), ...added };
}

/**
 * Headers dlq-admin puts on a replayed record. Our consumers carry `X-Replay-Of` onto every
 * record they produce for it (commands, delivery events, a new dead letter), so dlq-admin
 * learns whether the replay succeeded (RESOLVED) or failed again (a linked dead letter).
 */
export const REPLAY_HEADERS = {
  of: "X-Replay-Of",
  count: "X-Replay-Count",
} as const;

/**
 * Adds, for each delivery event in `records` that belongs to a replay, a copy on the
 * replay-outcomes topic (in the same produce request, so both or neither are written).
 */
export function withReplayOutcomes<
  R extends { topic: string; headers?: Record<string, string | Buffer> | undefined },
>(records: R[], deliveryEventsTopic: string, replayOutcomesTopic: string | undefined): R[] {
  if (!replayOutcomesTopic) return records;
  const copies = records.filter(
    (record) => record.topic === deliveryEventsTopic && record.headers?.[REPLAY_HEADERS.of] !== undefined,
  );
  return [...records, ...copies.map((record) => ({ ...record, topic: replayOutcomesTopic }))];
}

/** The `X-Replay-Of` header of a consumed record, as headers to copy onto what it produces. */
export function replayHeadersOf(headers: Record<string, string>): Record<string, string> {
  const id = headers[REPLAY_HEADERS.of];
  return id ? { [REPLAY_HEADERS.of]: id } : {};
}
