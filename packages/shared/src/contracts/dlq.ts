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
