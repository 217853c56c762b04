import { DLQ_STATUSES, type DlqMessage } from "@fluxnotify/db/queries/dlq";
import {
  instant,
  int64Text,
  parseInt64,
  storableText,
  tenantParam,
  whenValid,
} from "@fluxnotify/shared/http";
import { z } from "zod";

const name = storableText(200).trim().min(1);

/** Dead-letter ids are bigserials; exposed as decimal strings so no client loses precision. */
export const idParams = z.object({ id: int64Text.describe("a dead-letter id (decimal digits)") });

export const encodeCursor = (id: bigint) => Buffer.from(String(id)).toString("base64url");

/** An opaque cursor: base64url of the last id of the previous page. */
const cursor = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const decoded = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, "base64url").toString() : "";
    const id = parseInt64(decoded);
    if (id !== undefined) return id;
    ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
    return z.NEVER;
  });

const timestamp = z.iso.datetime({ offset: true });

/** Filters shared by the list and retry-all: what an operator narrows a failure down by. */
const filters = {
  /** Operators only narrow by it; an admin's scope is its own tenant. */
  tenant: tenantParam.optional(),
  domain: name.optional(),
  channel: name.optional(),
  eventId: name.optional(),
  notificationId: name.optional(),
  errorCode: name.optional(),
  /** Case-insensitive substring of the error message. */
  error: name.optional(),
  /** Failed at or after (ISO-8601). */
  from: instant.optional(),
  /** Failed before (ISO-8601). */
  to: instant.optional(),
};

const checkRange = (value: { from?: Date | undefined; to?: Date | undefined }) =>
  !value.from || !value.to || value.from < value.to;
const rangeIssue = { message: "`from` must be before `to`", path: ["from"], ...whenValid };

export const listQuery = z
  .strictObject({
    ...filters,
    status: z.enum(DLQ_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: cursor.optional(),
  })
  .refine(checkRange, rangeIssue);

const FILTER_NAMES = Object.keys(filters) as Array<keyof typeof filters>;

/**
 * retry-all's body: filters, or `all: true` to replay every pending dead letter the caller
 * may act on. No filter without `all` is refused: an empty body (or one a client dropped)
 * must never mean "everything". A dry run replays nothing, so it needs neither.
 */
export const retryAllBody = z
  .strictObject({
    ...filters,
    all: z
      .boolean()
      .optional()
      .describe(
        "true: replay every pending dead letter in the caller's scope; needed when no filter is given",
      ),
    dryRun: z
      .boolean()
      .optional()
      .describe(
        "true: replay nothing, answer how many pending dead letters match and how many of them could be replayed (the preview of the same call without it)",
      ),
  })
  .refine(checkRange, rangeIssue)
  .refine(
    (body) =>
      body.all === true || body.dryRun === true || FILTER_NAMES.some((filter) => body[filter] !== undefined),
    {
      message: `give at least one filter (${FILTER_NAMES.join(", ")}) or "all": true to replay every pending dead letter`,
      path: ["all"],
      ...whenValid,
    },
  );

/** Query/body filters → the database filter (the tenant comes from the caller's scope). */
export function toFilter(input: {
  domain?: string | undefined;
  channel?: string | undefined;
  eventId?: string | undefined;
  notificationId?: string | undefined;
  errorCode?: string | undefined;
  error?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}) {
  return {
    domain: input.domain,
    channel: input.channel,
    eventId: input.eventId,
    notificationId: input.notificationId,
    errorCode: input.errorCode,
    errorText: input.error,
    failedFrom: input.from,
    failedTo: input.to,
  };
}

export const discardQuery = z.strictObject({ reason: storableText(1_000).trim().min(1).optional() });

export const dlqItem = z.object({
  id: z.string(),
  /** Null when the dead letter's tenant could not be read: then only operators see it. */
  tenantId: z.string().nullable(),
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
  replayed: z
    .number()
    .int()
    .describe("dead letters this call replayed; each at most once, only those pending when it began"),
  remaining: z
    .number()
    .int()
    .describe(
      "matches pending when the call began that are still pending (the per-call cap was hit) and not being replayed by another call; dead letters that arrived meanwhile, failed replays of this call included, are left for the next call",
    ),
  unreplayable: z
    .number()
    .int()
    .describe("matches pending when the call began whose original topic is unknown or missing on the broker"),
});

export const retryAllPreview = z.object({
  matched: z.number().int().describe("pending dead letters in the caller's scope matching the filters"),
  replayable: z
    .number()
    .int()
    .describe("of those, the ones a real call could replay (known, existing original topic; value kept)"),
});

const pendingAge = {
  pending: z.number().int(),
  oldestPendingAt: timestamp.nullable().describe("failure time of the oldest pending dead letter"),
};
export const summaryResponse = z.object({
  ...pendingAge,
  byDomain: z
    .array(z.object({ domain: z.string(), ...pendingAge }))
    .describe("every domain (payment, subscription, order, refund, and any other with pending dead letters)"),
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
    tenantId: row.tenantId,
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
