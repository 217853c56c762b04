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
  /** Whose record it is, where the worker knows: dlq-admin scopes admins by it (CONTRACT §4). */
  tenantId: "X-Tenant-Id",
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
  return headers;
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
export function withReplayOutcomes<R extends { topic: string; headers?: Record<string, string> | undefined }>(
  records: R[],
  deliveryEventsTopic: string,
  replayOutcomesTopic: string | undefined,
): R[] {
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
