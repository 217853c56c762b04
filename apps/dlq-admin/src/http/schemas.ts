import { DLQ_STATUSES, type DlqMessage } from "@fluxnotify/db/queries/dlq";
import { z } from "zod";

const MAX_ID = 9_223_372_036_854_775_807n;
const name = z.string().trim().min(1).max(200);

/** Dead-letter ids are bigserials; exposed as decimal strings so no client loses precision. */
export const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,19}$/, "must be a dead-letter id (decimal digits)")
    .transform((value) => BigInt(value))
    .refine((value) => value <= MAX_ID, "is out of range"),
});

export const encodeCursor = (id: bigint) => Buffer.from(String(id)).toString("base64url");

/** An opaque cursor: base64url of the last id of the previous page. */
const cursor = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const decoded = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, "base64url").toString() : "";
    if (/^\d{1,19}$/.test(decoded) && BigInt(decoded) <= MAX_ID) return BigInt(decoded);
    ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
    return z.NEVER;
  });

const timestamp = z.iso.datetime({ offset: true });
const since = timestamp.transform((value) => new Date(value));

/** Filters shared by the list and retry-all: what an operator narrows a failure down by. */
const filters = {
  domain: name.optional(),
  channel: name.optional(),
  eventId: name.optional(),
  errorCode: name.optional(),
  /** Case-insensitive substring of the error message. */
  error: z.string().trim().min(1).max(200).optional(),
  /** Failed at or after (ISO-8601). */
  from: since.optional(),
  /** Failed before (ISO-8601). */
  to: since.optional(),
};

const checkRange = (value: { from?: Date | undefined; to?: Date | undefined }) =>
  !value.from || !value.to || value.from < value.to;
const rangeIssue = { message: "`from` must be before `to`", path: ["from"] };

export const listQuery = z
  .strictObject({
    ...filters,
    status: z.enum(DLQ_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: cursor.optional(),
  })
  .refine(checkRange, rangeIssue);

export const retryAllBody = z.strictObject(filters).refine(checkRange, rangeIssue);

/** Query/body filters → the database filter. */
export function toFilter(input: {
  domain?: string | undefined;
  channel?: string | undefined;
  eventId?: string | undefined;
  errorCode?: string | undefined;
  error?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}) {
  return {
    domain: input.domain,
    channel: input.channel,
    eventId: input.eventId,
    errorCode: input.errorCode,
    errorText: input.error,
    failedFrom: input.from,
    failedTo: input.to,
  };
}

export const discardQuery = z.strictObject({ reason: z.string().trim().min(1).max(1_000).optional() });

export const dlqItem = z.object({
  id: z.string(),
  domain: z.string(),
  dlqTopic: z.string(),
  dlqPartition: z.number().int(),
  dlqOffset: z.string(),
  originalTopic: z.string(),
  originalPartition: z.number().int().nullable(),
  originalOffset: z.string().nullable(),
  channel: z.string().nullable(),
  eventId: z.string().nullable(),
  notificationId: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string(),
  retryCount: z.number().int(),
  failedAt: timestamp,
  status: z.enum(DLQ_STATUSES),
  replayCount: z.number().int(),
  lastReplayedAt: timestamp.nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: timestamp.nullable(),
  discardReason: z.string().nullable(),
  /** The dead letter this one is the failed replay of. */
  replayOf: z.string().nullable(),
  createdAt: timestamp,
  key: z.string().nullable(),
  /** The original value: UTF-8 text when it decodes as such, else base64 (see valueEncoding). */
  value: z.string().nullable(),
  valueEncoding: z.enum(["utf8", "base64"]).nullable(),
  headers: z.record(z.string(), z.string()),
});
export type DlqItem = z.infer<typeof dlqItem>;

export const totals = z.array(
  z.object({ domain: z.string(), channel: z.string().nullable(), count: z.number().int() }),
);

export const listResponse = z.object({
  items: z.array(dlqItem),
  nextCursor: z.string().nullable(),
  /** Every match of the filters (all pages), per domain and channel; channel null = ingest. */
  totals,
});

export const auditEntry = z.object({
  action: z.enum(["STORED", "REPLAYED", "RESOLVED", "FAILED_AGAIN", "DISCARDED"]),
  actor: z.string(),
  detail: z.string().nullable(),
  at: timestamp,
});

export const dlqDetail = dlqItem.extend({
  audit: z.array(auditEntry),
  /** Dead letters produced by failed replays of this one. */
  replayedInto: z.array(z.string()),
});
export const retryAllResponse = z.object({
  replayed: z.number().int(),
  /** PENDING matches still replayable: more arrived meanwhile, or the per-call cap was hit. */
  remaining: z.number().int(),
  /** PENDING matches whose original topic is unknown or does not exist on the broker. */
  unreplayable: z.number().int(),
});

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function encodeValue(value: Buffer | null): Pick<DlqItem, "value" | "valueEncoding"> {
  if (value === null) return { value: null, valueEncoding: null };
  try {
    return { value: strictUtf8.decode(value), valueEncoding: "utf8" };
  } catch {
    return { value: value.toString("base64"), valueEncoding: "base64" };
  }
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toItem(row: DlqMessage): DlqItem {
  return {
    id: String(row.id),
    domain: row.domain,
    dlqTopic: row.dlqTopic,
    dlqPartition: row.dlqPartition,
    dlqOffset: String(row.dlqOffset),
    originalTopic: row.originalTopic,
    originalPartition: row.originalPartition,
    originalOffset: row.originalOffset === null ? null : String(row.originalOffset),
    channel: row.channel,
    eventId: row.eventId,
    notificationId: row.notificationId,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    retryCount: row.retryCount,
    failedAt: row.failedAt.toISOString(),
    status: row.status as DlqItem["status"],
    replayCount: row.replayCount,
    lastReplayedAt: iso(row.lastReplayedAt),
    resolvedBy: row.resolvedBy,
    resolvedAt: iso(row.resolvedAt),
    discardReason: row.discardReason,
    replayOf: row.replayOf === null ? null : String(row.replayOf),
    createdAt: row.createdAt.toISOString(),
    key: row.key,
    ...encodeValue(row.value),
    headers: row.headers,
  };
}
