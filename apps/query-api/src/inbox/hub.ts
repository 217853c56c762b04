import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { type InboxItemsClient, inboxAfter, inboxHead } from "@fluxnotify/db/queries/inbox";
import { inboxEventsChannel, parseInboxEvent } from "@fluxnotify/shared/contracts";
import { HttpProblem, type Principal } from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import { Counter, Gauge, type Registry } from "@fluxnotify/shared/metrics";
import type { Redis } from "@fluxnotify/shared/redis";
import { type EndReason, StreamConnection } from "./connection";
import type { StreamSlots } from "./slots";

export interface StreamHubOptions {
  /** A connection of its own: it is in subscriber mode for as long as the hub runs. */
  subscriber: Redis;
  sql: InboxItemsClient;
  slots: StreamSlots;
  channelPrefix: string;
  logger: Logger;
  registry: Registry;
  /** A comment line after this long without a write (CONTRACT §4: at least every 25 s). */
  heartbeatMs: number;
  /** Bytes a client may leave unread before it is dropped. */
  maxBufferedBytes: number;
  /** At most this many missed items are replayed on resume (the newest of them). */
  replayMax: number;
  /** The `retry:` hint streams end with on shutdown: a random delay in [min, max], spreading reconnects. */
  reconnectMs: { min: number; max: number };
}

export interface StreamHub {
  /** Answers `res` with the principal's stream; throws an HttpProblem while nothing is sent yet. */
  open(principal: Principal, lastEventId: number | undefined, res: ServerResponse): Promise<void>;
  /** Streams open in this process. */
  readonly size: number;
  /** Whether new streams can be served (the subscriber is connected). */
  isReady(): boolean;
  /** Ends every stream with a `retry:` hint and refuses new ones (graceful shutdown). */
  close(): Promise<void>;
}

interface UserStreams {
  connections: Set<StreamConnection>;
  /** The SUBSCRIBE for this user's channel, confirmed. */
  subscribed: Promise<unknown>;
}

const PAGE_SIZE = 100;

/**
 * The process's side of the inbox stream (CONTRACT §4). One Redis subscriber serves every
 * stream here: a user's channel is subscribed while they have a stream in this process and
 * unsubscribed with their last one, so a process hears about its own users only, and any
 * process can serve any user (no sticky sessions: whichever process a notification's
 * announcement reaches, the others hear it too). Should the subscriber lose Redis, messages
 * published meanwhile would be lost to it: every stream is ended then with a `retry:` hint,
 * and clients resume with Last-Event-ID (from the inbox, which lost nothing).
 */
export function createStreamHub(options: StreamHubOptions): StreamHub {
  const { subscriber, logger } = options;
  const users = new Map<string, UserStreams>();
  let closing = false;
  const metrics = {
    open: new Gauge({
      name: "inbox_streams_open",
      help: "Inbox streams (SSE) open in this process",
      registers: [options.registry],
      collect() {
        this.set(count());
      },
    }),
    opened: new Counter({
      name: "inbox_streams_opened_total",
      help: "Inbox streams opened, by whether they resumed with Last-Event-ID",
      labelNames: ["resumed"],
      registers: [options.registry],
    }),
    ended: new Counter({
      name: "inbox_streams_ended_total",
      help: "Inbox streams ended, by reason: client, slow (dropped: unread bytes piled up), shutdown, redis, error",
      labelNames: ["reason"],
      registers: [options.registry],
    }),
    refused: new Counter({
      name: "inbox_streams_refused_total",
      help: "Inbox stream requests refused, by reason: cap (the user's open streams), unavailable",
      labelNames: ["reason"],
      registers: [options.registry],
    }),
    filled: new Counter({
      name: "inbox_stream_gap_items_total",
      help: "Items a stream read from the inbox because their announcement came after a later one's",
      registers: [options.registry],
    }),
    ignored: new Counter({
      name: "inbox_stream_announcements_ignored_total",
      help: "Messages on an inbox channel that were not an inbox announcement",
      registers: [options.registry],
    }),
  };

  function count(): number {
    let n = 0;
    for (const user of users.values()) n += user.connections.size;
    return n;
  }

  subscriber.on("message", (channel: string, text: string) => {
    const user = users.get(channel);
    if (!user) return;
    const event = parseInboxEvent(text);
    if (!event) {
      metrics.ignored.inc();
      return;
    }
    for (const connection of user.connections) connection.deliver(event);
  });
  // ioredis resubscribes by itself after a reconnect, but what was published in between is
  // gone: the streams end, and their clients resume from the inbox.
  subscriber.on("close", () => {
    if (closing || count() === 0) return;
    logger.warn({ streams: count() }, "inbox stream subscriber lost Redis: ending streams so clients resume");
    for (const user of users.values()) {
      for (const connection of user.connections) connection.end("redis", reconnectDelay());
    }
  });

  const reconnectDelay = () =>
    options.reconnectMs.min + Math.random() * (options.reconnectMs.max - options.reconnectMs.min);

  function ended(connection: StreamConnection, reason: EndReason): void {
    metrics.ended.inc({ reason });
    const channel = inboxEventsChannel(options.channelPrefix, connection.tenantId, connection.userId);
    const user = users.get(channel);
    if (user?.connections.delete(connection) && user.connections.size === 0) {
      users.delete(channel);
      subscriber.unsubscribe(channel).catch(() => undefined);
    }
    options.slots.release(connection.tenantId, connection.userId, connection.id).catch((error: unknown) => {
      logger.warn({ err: error }, "could not release a stream slot (it lapses by itself)");
    });
  }

  // Checked four times per heartbeat period, a comment written to every stream silent for
  // three quarters of it or more: none goes a whole period without a write. The slots (which
  // lapse after three periods) are refreshed once per period.
  const tickMs = Math.max(50, Math.floor(options.heartbeatMs / 4));
  let refreshedAt = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const refresh = now - refreshedAt >= options.heartbeatMs;
    const all: StreamConnection[] = [];
    for (const user of users.values()) {
      for (const connection of user.connections) {
        connection.heartbeat(now, options.heartbeatMs - tickMs);
        if (refresh) all.push(connection);
      }
    }
    if (!refresh) return;
    refreshedAt = now;
    options.slots.refresh(all).catch((error: unknown) => {
      logger.warn({ err: error }, "could not refresh stream slots");
    });
  }, tickMs);
  timer.unref();

  return {
    get size() {
      return count();
    },
    isReady: () => !closing && subscriber.status === "ready",

    async open(principal, lastEventId, res) {
      const { tenantId, userId } = principal;
      if (closing || subscriber.status !== "ready") {
        metrics.refused.inc({ reason: "unavailable" });
        throw new HttpProblem({
          status: 503,
          title: "Service Unavailable",
          detail: closing
            ? "this server is shutting down: reconnect"
            : "the stream is unavailable: retry shortly",
          headers: { "Retry-After": "2" },
        });
      }
      const id = randomUUID();
      if (!(await options.slots.acquire(tenantId, userId, id))) {
        metrics.refused.inc({ reason: "cap" });
        throw new HttpProblem({
          status: 429,
          title: "Too Many Requests",
          detail:
            "this user has as many streams open as allowed: close one (tabs of one browser can share one)",
          headers: { "Retry-After": String(Math.ceil(options.heartbeatMs / 1000)) },
        });
      }
      const connection = new StreamConnection(
        id,
        tenantId,
        userId,
        res,
        {
          itemsAfter: (afterSeq, limit) => inboxAfter(options.sql, tenantId, userId, afterSeq, limit),
          ended,
          filled: (n) => metrics.filled.inc(n),
        },
        { maxBufferedBytes: options.maxBufferedBytes, maxPendingEvents: 1_000, pageSize: PAGE_SIZE },
      );
      // Held from now: what is announced while the subscription and the inbox are read waits.
      connection.hold();
      const channel = inboxEventsChannel(options.channelPrefix, tenantId, userId);
      let user = users.get(channel);
      if (!user) {
        user = { connections: new Set(), subscribed: subscriber.subscribe(channel) };
        users.set(channel, user);
      }
      user.connections.add(connection);
      res.on("close", () => {
        if (res.headersSent) connection.end("client");
        else connection.abandon();
      });
      let head: Awaited<ReturnType<typeof inboxHead>>;
      try {
        await user.subscribed;
        head = await inboxHead(options.sql, tenantId, userId);
      } catch (error) {
        connection.abandon();
        logger.warn({ err: error }, "inbox stream could not start");
        metrics.refused.inc({ reason: "unavailable" });
        throw new HttpProblem({
          status: 503,
          title: "Service Unavailable",
          detail: "the inbox is unavailable: retry shortly",
          headers: { "Retry-After": "2" },
        });
      }
      if (!connection.isOpen) return;

      res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        // nginx and others buffer responses unless told not to.
        "X-Accel-Buffering": "no",
      });
      res.flushHeaders();
      metrics.opened.inc({ resumed: String(lastEventId !== undefined) });
      // A client that says it saw more than the inbox holds (a reset store, a forged id)
      // resumes from the head: every later item is then new to it.
      const resumeFrom =
        lastEventId === undefined
          ? head.lastSeq
          : Math.max(Math.min(lastEventId, head.lastSeq), head.lastSeq - options.replayMax, 0);
      await connection.start(head, resumeFrom, lastEventId !== undefined).catch((error: unknown) => {
        logger.warn({ err: error }, "inbox stream could not replay from the inbox; ended");
      });
    },

    async close() {
      closing = true;
      clearInterval(timer);
      for (const user of [...users.values()]) {
        for (const connection of [...user.connections]) connection.end("shutdown", reconnectDelay());
      }
    },
  };
}
