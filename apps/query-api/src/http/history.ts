import type { Database } from "@fluxnotify/db";
import { listNotificationHistory } from "@fluxnotify/db/queries/read-model";
import { CHANNELS, DELIVERY_STATUSES } from "@fluxnotify/shared/contracts";
import { defineRoute, HttpProblem, isAdmin, storableText } from "@fluxnotify/shared/http";
import { z } from "zod";
import { encodeCursor } from "./cursor";
import { cursorParam, eventTypeParam } from "./params";

const historyQuery = z.object({
  userId: storableText(256).min(1).optional().describe("defaults to the caller; another user's needs admin"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: cursorParam,
  channel: z.enum(CHANNELS).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  eventType: eventTypeParam,
});

const nullableText = z.string().nullable();
export const historyItemSchema = z.object({
  notificationId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  channel: z.enum(CHANNELS),
  status: z
    .enum(DELIVERY_STATUSES)
    .describe(
      "SENT; FAILED (dead-lettered); SKIPPED (turned off, or no contact point); PENDING: accepted and waiting, reported when a send is delayed (a retry scheduled, or the provider down: reasonCode says which). A notification appears once its channel worker reports it, milliseconds after the event on the normal path.",
    ),
  recipient: nullableText.describe(
    "Where it went, never a secret: the email address, the Slack webhook's host, the in-app channel, or for PUSH the device (`webpush <push service host> (label)`, `fcm …<last 6 of the token>`). PUSH has one item per registered device, each with its own status: a device the push service reports gone is SKIPPED with reasonCode PUSH_SUBSCRIPTION_GONE (or PUSH_FCM_UNREGISTERED) and removed.",
  ),
  reasonCode: nullableText.describe("SKIPPED / PENDING: why; FAILED: the error code"),
  errorMessage: nullableText,
  attempts: z.number().int().nullable(),
  sentAt: z.iso.datetime().nullable(),
  statusAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
});
const historyPage = z.object({
  items: z.array(historyItemSchema),
  nextCursor: z.string().nullable().describe("null on the last page"),
});

export const historyRoute = (db: Database) =>
  defineRoute({
    method: "get",
    path: "/api/v1/notifications",
    summary: "A user's notification history, newest first, keyset-paginated",
    tags: ["notifications"],
    auth: "user",
    query: historyQuery,
    responses: {
      200: { description: "One page", schema: historyPage },
      403: { description: "Another user's history without the admin role" },
    },
    handler: async ({ query, principal }) => {
      const userId = query.userId ?? principal.userId;
      if (userId !== principal.userId && !isAdmin(principal)) {
        throw HttpProblem.forbidden("only admins may read another user's notifications");
      }
      const rows = await listNotificationHistory(db, {
        tenantId: principal.tenantId,
        userId,
        limit: query.limit + 1,
        after: query.cursor,
        channel: query.channel,
        status: query.status,
        eventType: query.eventType,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const body: z.infer<typeof historyPage> = {
        items: page.map((r) => ({
          notificationId: r.notificationId,
          eventId: r.eventId,
          eventType: r.eventType,
          channel: r.channel as z.infer<typeof historyItemSchema>["channel"],
          status: r.status as z.infer<typeof historyItemSchema>["status"],
          recipient: r.recipient,
          reasonCode: r.reasonCode,
          errorMessage: r.errorMessage,
          attempts: r.attempts,
          sentAt: r.sentAt,
          statusAt: r.statusAt,
          createdAt: r.createdAt,
        })),
        nextCursor:
          rows.length > query.limit && last ? encodeCursor({ createdAt: last.cursorAt, id: last.id }) : null,
      };
      return { status: 200, body };
    },
  });
