import type { Database } from "@fluxnotify/db";
import {
  type DeliveryRow,
  deliveryTimeline,
  findDelivery,
  searchDeliveries,
} from "@fluxnotify/db/queries/deliveries";
import { CHANNELS, DELIVERY_STATUSES } from "@fluxnotify/shared/contracts";
import {
  defineRoute,
  HttpProblem,
  instant,
  storableText,
  tenantParam,
  tenantScope,
  whenValid,
} from "@fluxnotify/shared/http";
import { z } from "zod";
import { encodeCursor } from "./cursor";
import { historyItemSchema } from "./history";
import { cursorParam, eventTypeParam } from "./params";

const id = storableText(256).min(1);

const searchQuery = z
  .object({
    tenant: tenantParam.optional(),
    userId: id.optional(),
    eventId: id.optional(),
    notificationId: id.optional(),
    channel: z.enum(CHANNELS).optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
    eventType: eventTypeParam,
    from: instant.optional().describe("created at or after (ISO-8601 instant)"),
    to: instant.optional().describe("created before (ISO-8601 instant)"),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: cursorParam,
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, {
    path: ["from"],
    message: "must be before to",
    ...whenValid,
  });

export const deliveryItemSchema = historyItemSchema.extend({
  tenantId: z.string(),
  userId: z.string(),
});
type DeliveryItem = z.infer<typeof deliveryItemSchema>;

const searchPage = z.object({
  items: z.array(deliveryItemSchema),
  nextCursor: z.string().nullable().describe("null on the last page"),
});

const timelineEntry = z.object({
  status: z.enum(DELIVERY_STATUSES),
  at: z.iso.datetime().describe("when the worker (or ingest) reported this status"),
  attempts: z
    .number()
    .int()
    .nullable()
    .describe(
      "PENDING: the attempt that failed (0: none yet, waiting for a provider that is down); SENT / FAILED: attempts made",
    ),
  reasonCode: z.string().nullable().describe("PENDING / SKIPPED: why; FAILED: the error code"),
  errorMessage: z.string().nullable(),
  latencyMs: z.number().nullable().describe("SENT: how long the successful send took"),
});
const timelineResponse = z.object({
  notification: deliveryItemSchema,
  timeline: z
    .array(timelineEntry)
    .describe(
      "every delivery event of the notification, oldest first: PENDING at each scheduled retry and each wait for a provider that is down, then SENT, FAILED or SKIPPED; a dead letter replayed later adds its PENDING and outcome after the FAILED",
    ),
});

function toItem(row: DeliveryRow): DeliveryItem {
  return {
    tenantId: row.tenantId,
    notificationId: row.notificationId,
    eventId: row.eventId,
    eventType: row.eventType,
    userId: row.userId,
    channel: row.channel as DeliveryItem["channel"],
    status: row.status as DeliveryItem["status"],
    recipient: row.recipient,
    reasonCode: row.reasonCode,
    errorMessage: row.errorMessage,
    attempts: row.attempts,
    sentAt: row.sentAt,
    statusAt: row.statusAt,
    createdAt: row.createdAt,
  };
}

/**
 * The operations console's delivery search and timeline. An admin searches its own tenant
 * (`tenant` may only name it); an operator every tenant, narrowed by `tenant`. Another
 * tenant's notification is a 404 for an admin, as if it did not exist.
 */
export const deliveryRoutes = (db: Database) => [
  defineRoute({
    method: "get",
    path: "/api/v1/dashboard/deliveries",
    summary: "Delivery search: notifications matching every given filter, newest first, keyset-paginated",
    tags: ["dashboard"],
    auth: "admin",
    query: searchQuery,
    responses: { 200: { description: "One page", schema: searchPage } },
    handler: async ({ query, principal }) => {
      const { tenantId } = tenantScope(principal, query.tenant);
      const rows = await searchDeliveries(db, {
        tenantId,
        userId: query.userId,
        eventId: query.eventId,
        notificationId: query.notificationId,
        channel: query.channel,
        status: query.status,
        eventType: query.eventType,
        from: query.from,
        to: query.to,
        limit: query.limit + 1,
        after: query.cursor,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const body: z.infer<typeof searchPage> = {
        items: page.map(toItem),
        nextCursor:
          rows.length > query.limit && last ? encodeCursor({ createdAt: last.cursorAt, id: last.id }) : null,
      };
      return { status: 200, body };
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/v1/dashboard/deliveries/:notificationId",
    summary: "One notification and its timeline: every status it went through, oldest first",
    tags: ["dashboard"],
    auth: "admin",
    params: z.object({ notificationId: id }),
    query: z.object({ tenant: tenantParam.optional() }),
    responses: {
      200: { description: "The notification and its timeline", schema: timelineResponse },
      404: { description: "No such notification (or one of another tenant, for an admin)" },
    },
    handler: async ({ params, query, principal }) => {
      const { tenantId } = tenantScope(principal, query.tenant);
      const row = await findDelivery(db, params.notificationId, tenantId);
      if (!row) throw HttpProblem.notFound(`notification ${params.notificationId} does not exist`);
      const timeline = await deliveryTimeline(db, row.notificationId);
      const body: z.infer<typeof timelineResponse> = {
        notification: toItem(row),
        timeline: timeline.map((entry) => ({
          ...entry,
          status: entry.status as z.infer<typeof timelineEntry>["status"],
        })),
      };
      return { status: 200, body };
    },
  }),
];
