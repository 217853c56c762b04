import {
  type InboxItemsClient,
  listInbox,
  markInboxItemRead,
  markInboxRead,
  type UnreadState,
} from "@fluxnotify/db/queries/inbox";
import { type InboxEvent, inboxEventsChannel } from "@fluxnotify/shared/contracts";
import {
  bearerPrincipal,
  defineRoute,
  HttpProblem,
  type Principal,
  type HttpRequest as Request,
  storableText,
  type TokenVerifier,
} from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import { z } from "zod";
import type { StreamHub } from "../inbox/hub";
import type { StreamTokens } from "../inbox/tokens";

export interface InboxApiConfig {
  sql: InboxItemsClient;
  redis: Redis;
  hub: StreamHub;
  tokens: StreamTokens;
  channelPrefix: string;
  logger: Logger;
}

const TAGS = ["inbox"];

/** Opaque keyset cursor: the seq of the last item served (newer items never shift later pages). */
const encodeSeqCursor = (seq: number) => Buffer.from(JSON.stringify([seq])).toString("base64url");

function decodeSeqCursor(text: string): number | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 1) return undefined;
    const [seq] = value as unknown[];
    return Number.isSafeInteger(seq) && (seq as number) > 0 ? (seq as number) : undefined;
  } catch {
    return undefined;
  }
}

const feedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(64)
    .optional()
    .transform((text, ctx): number | undefined => {
      if (text === undefined) return undefined;
      const seq = decodeSeqCursor(text);
      if (seq === undefined)
        ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
      return seq;
    })
    .describe("nextCursor of the previous page"),
  unread: z
    .enum(["true", "false"])
    .optional()
    .transform((flag) => flag === "true")
    .describe("true: unread items only"),
});

const messageFields = {
  notificationId: z.string(),
  eventType: z.string().describe("the FluxPay event type, e.g. com.fluxpay.payment.approved"),
  title: z.string(),
  body: z.string(),
  createdAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()).describe("the event's data, raw (decimals as strings)"),
};
const feedItem = z.object({
  ...messageFields,
  readAt: z.iso.datetime().nullable().describe("null: unread"),
});
const feedPage = z.object({
  items: z.array(feedItem),
  unreadCount: z.number().int().min(0).describe("the caller's unread items, exact as of this page"),
  nextCursor: z.string().nullable().describe("null on the last page"),
});

const notificationParams = z.object({ notificationId: storableText(256).min(1) });

/** Tells the user's streams, in every process, the new count (best effort: the change is committed). */
async function announce(config: InboxApiConfig, principal: Principal, unread: UnreadState): Promise<void> {
  const event: InboxEvent = { type: "unread", unread };
  try {
    await config.redis.publish(
      inboxEventsChannel(config.channelPrefix, principal.tenantId, principal.userId),
      JSON.stringify(event),
    );
  } catch (error) {
    // Streams hear of it on their next change or reconnect; the answer still says it is done.
    config.logger.warn({ err: error }, "could not announce an unread count to the user's streams");
  }
}

const LAST_EVENT_ID = /^\d{1,15}$/;

/**
 * The stream's Last-Event-ID: the header EventSource sends when it reconnects by itself,
 * else `lastEventId` from the URL (a client reconnecting with a new stream token puts it
 * there); the header wins, being the later of the two.
 */
function lastEventIdOf(req: Request, fromQuery: string | undefined): number | undefined {
  const header = req.header("last-event-id");
  const text = header === undefined || header === "" ? fromQuery : header;
  if (text === undefined || text === "") return undefined;
  if (!LAST_EVENT_ID.test(text)) {
    throw HttpProblem.badRequest("Last-Event-ID is not an id this stream sent", {
      errors: [{ field: header ? "header.Last-Event-ID" : "query.lastEventId", message: "not an event id" }],
    });
  }
  return Number(text);
}

/** The Authorization header (any client) or a stream token (`?token=`, browsers). */
function streamAuthenticator(tokens: StreamTokens) {
  return async (req: Request, verify: TokenVerifier): Promise<Principal> => {
    if (req.headers.authorization !== undefined) return bearerPrincipal(req, verify);
    const token = req.query.token;
    if (typeof token !== "string" || token === "") {
      throw HttpProblem.unauthorized("missing bearer token or stream token (?token= from POST stream-token)");
    }
    const principal = await tokens.consume(token);
    if (!principal) throw HttpProblem.unauthorized("stream token is unknown, expired or already used");
    return principal;
  };
}

/** CONTRACT §4: the caller's inbox, its read state, and its live stream. */
export const inboxRoutes = (config: InboxApiConfig) => [
  defineRoute({
    method: "get",
    path: "/api/v1/notifications/inbox",
    summary: "The caller's in-app feed, newest first, with the exact unread count",
    tags: TAGS,
    auth: "user",
    query: feedQuery,
    responses: { 200: { description: "A page of the feed", schema: feedPage } },
    handler: async ({ principal, query }) => {
      const page = await listInbox(config.sql, principal.tenantId, principal.userId, {
        limit: query.limit,
        beforeSeq: query.cursor,
        unreadOnly: query.unread,
      });
      const last = page.entries.at(-1);
      return {
        status: 200,
        body: {
          items: page.entries.map((entry) => entry.item),
          unreadCount: page.unread.unreadCount,
          nextCursor: page.more && last ? encodeSeqCursor(last.seq) : null,
        },
      };
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/v1/notifications/inbox/read-all",
    summary: "Mark every item of the caller's inbox read",
    tags: TAGS,
    auth: "user",
    responses: {
      200: { description: "How many were unread", schema: z.object({ updated: z.number().int().min(0) }) },
    },
    handler: async ({ principal }) => {
      const result = await markInboxRead(config.sql, principal.tenantId, principal.userId);
      if (result.unread) await announce(config, principal, result.unread);
      return { status: 200, body: { updated: result.updated } };
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/v1/notifications/inbox/:notificationId/read",
    summary: "Mark one item of the caller's inbox read (idempotent)",
    tags: TAGS,
    auth: "user",
    params: notificationParams,
    responses: {
      204: { description: "Read (now or before)" },
      404: { description: "Not an item of the caller's inbox" },
    },
    handler: async ({ principal, params }) => {
      const result = await markInboxItemRead(
        config.sql,
        principal.tenantId,
        principal.userId,
        params.notificationId,
      );
      if (!result.found) throw HttpProblem.notFound("no such notification in your inbox");
      if (result.changed) await announce(config, principal, result.unread);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/v1/notifications/stream-token",
    summary: "A single-use token for the stream (EventSource cannot send an Authorization header)",
    tags: TAGS,
    auth: "user",
    responses: {
      200: {
        description:
          "A token that opens one stream of the caller's, within `expiresIn` seconds; used, expired or tampered: 401",
        schema: z.object({ token: z.string(), expiresIn: z.number().int().positive() }),
      },
    },
    handler: async ({ principal }) => ({ status: 200, body: await config.tokens.issue(principal) }),
  }),
  defineRoute({
    method: "get",
    path: "/api/v1/notifications/stream",
    summary:
      "Server-Sent Events of the caller's in-app notifications and unread count; resumes with Last-Event-ID",
    tags: TAGS,
    auth: "user",
    authenticator: streamAuthenticator(config.tokens),
    query: z.object({
      token: z
        .string()
        .max(128)
        .optional()
        .describe(
          "a stream token (POST stream-token), instead of the Authorization header; opens one stream",
        ),
      lastEventId: z
        .string()
        .max(32)
        .optional()
        .describe(
          "resume after this event id (the Last-Event-ID header wins): the missed notifications come first, in order, once",
        ),
    }),
    responses: {
      200: {
        description: [
          "text/event-stream. `event: notification` with `id: <opaque, increasing>` and `data:` the CONTRACT §5 in-app",
          'message; `event: unread` with `data: {"unreadCount": n}` on connect and whenever the count changes; a',
          "comment line at least every 25 s otherwise. On resume, the missed notifications are sent first (at most",
          "the newest STREAM_REPLAY_MAX, 500 by default: a client that missed more reloads the feed). A server shutting down ends the stream with `retry: <ms>` (reconnect, with Last-Event-ID). A client",
          "that leaves more than the allowed bytes unread is disconnected.",
        ].join(" "),
        contentType: "text/event-stream",
      },
      429: { description: "The caller has as many streams open as allowed (Retry-After)" },
      503: { description: "Shutting down, or the stream's Redis or database unreachable (Retry-After)" },
    },
    handler: async ({ principal, query, req, res }) => {
      const lastEventId = lastEventIdOf(req, query.lastEventId);
      await config.hub.open(principal, lastEventId, res);
      return { status: 200, streamed: true };
    },
  }),
];
