import type { NewDlqMessage } from "@fluxnotify/db/queries/dlq";
import { UNKNOWN_TOPIC } from "@fluxnotify/db/queries/dlq";
import { DLQ_HEADERS, DOMAINS, REPLAY_HEADERS } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage } from "@fluxnotify/shared/kafka";
import { tenantOf } from "./tenant";

const MAX_INT32 = 2_147_483_647n;
const MAX_INT64 = 9_223_372_036_854_775_807n;

/**
 * `notification.dlq.{domain}` → domain. Other names (test topics, renamed deployments) yield
 * the first known domain that appears as a word in the name, else "unknown".
 */
export function domainOfTopic(topic: string): string {
  const words = topic.toLowerCase().split(/[^a-z]+/);
  return (
    DOMAINS.find((domain) => words.at(-1) === domain) ?? DOMAINS.find((d) => words.includes(d)) ?? "unknown"
  );
}

/** PostgreSQL text and jsonb cannot hold U+0000; everything else is stored as received. */
const storable = (value: string) => value.replaceAll("\u0000", "\uFFFD");

function header(headers: Record<string, string>, name: string): string | undefined {
  const exact = headers[name];
  if (exact !== undefined) return exact;
  // Tolerate producers that lower-case header names.
  const lower = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : headers[key];
}

function parseInteger(raw: string | undefined, max: bigint): bigint | undefined | "invalid" {
  if (raw === undefined || raw.trim() === "") return undefined;
  const text = raw.trim();
  if (!/^\d{1,19}$/.test(text)) return "invalid";
  const value = BigInt(text);
  return value <= max ? value : "invalid";
}

function parseTime(raw: string | undefined): Date | undefined | "invalid" {
  if (raw === undefined || raw.trim() === "") return undefined;
  const date = new Date(raw.trim());
  const year = date.getUTCFullYear();
  // Also keeps the value inside what timestamptz accepts.
  return Number.isNaN(date.getTime()) || year < 1970 || year > 9999 ? "invalid" : date;
}

const receivedAt = (message: ConsumedMessage) =>
  Number.isNaN(message.timestamp.getTime()) || message.timestamp.getTime() < 0
    ? new Date()
    : message.timestamp;

const optional = (value: string | undefined) => (value?.trim() ? storable(value.trim()) : null);

/**
 * Maps a dead-letter record to its row. Never throws: missing or garbled CONTRACT headers
 * become nulls/fallbacks and are named in the stored error message, so an operator sees
 * both the original failure and what was wrong with the dead letter itself.
 */
export function toDlqRow(message: ConsumedMessage, domain: string): NewDlqMessage {
  const headers = Object.fromEntries(
    Object.entries(message.headers).map(([k, v]) => [storable(k), storable(v)]),
  );
  const problems: string[] = [];
  const read = (name: string) => header(headers, name);

  const originalTopic = read(DLQ_HEADERS.originalTopic)?.trim();
  if (!originalTopic) problems.push(`missing ${DLQ_HEADERS.originalTopic}`);

  const integer = (name: string, max: bigint, required: boolean) => {
    const raw = read(name);
    const value = parseInteger(raw, max);
    if (value === "invalid")
      problems.push(`${name} is not a valid number: ${JSON.stringify(raw?.slice(0, 40))}`);
    else if (value === undefined && required) problems.push(`missing ${name}`);
    return typeof value === "bigint" ? value : undefined;
  };
  const originalPartition = integer(DLQ_HEADERS.originalPartition, MAX_INT32, true);
  const originalOffset = integer(DLQ_HEADERS.originalOffset, MAX_INT64, true);
  const retryCount = integer(DLQ_HEADERS.retryCount, MAX_INT32, true);
  const replayOf = integer(REPLAY_HEADERS.of, MAX_INT64, false);

  const rawFailedAt = read(DLQ_HEADERS.failedAt);
  const failedAt = parseTime(rawFailedAt);
  if (failedAt === "invalid") {
    problems.push(
      `${DLQ_HEADERS.failedAt} is not an ISO-8601 time: ${JSON.stringify(rawFailedAt?.slice(0, 40))}`,
    );
  } else if (failedAt === undefined) problems.push(`missing ${DLQ_HEADERS.failedAt}`);

  const errorMessage = read(DLQ_HEADERS.errorMessage)?.trim();
  if (!errorMessage) problems.push(`missing ${DLQ_HEADERS.errorMessage}`);
  const note = problems.length > 0 ? ` [dead-letter headers: ${problems.join("; ")}]` : "";

  return {
    domain,
    tenantId: tenantOf(message),
    dlqTopic: message.topic,
    dlqPartition: message.partition,
    dlqOffset: message.offset,
    originalTopic: originalTopic ? storable(originalTopic) : UNKNOWN_TOPIC,
    originalPartition: originalPartition === undefined ? null : Number(originalPartition),
    originalOffset: originalOffset ?? null,
    channel: optional(read(DLQ_HEADERS.channel)),
    eventId: optional(read(DLQ_HEADERS.eventId)),
    notificationId: optional(read(DLQ_HEADERS.notificationId)),
    errorCode: optional(read(DLQ_HEADERS.errorCode)),
    errorMessage: `${errorMessage ?? "(no error message)"}${note}`,
    retryCount: retryCount === undefined ? 0 : Number(retryCount),
    replayOf: replayOf ?? null,
    // Without a usable X-Failed-At, the time the record reached the DLQ is the best we know.
    failedAt: failedAt instanceof Date ? failedAt : receivedAt(message),
    key: message.key === undefined ? null : storable(message.key),
    value: message.value ?? null,
    headers,
  };
}
