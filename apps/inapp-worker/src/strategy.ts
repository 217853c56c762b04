import { isDatabaseUnreachable } from "@fluxnotify/db";
import {
  type AppendResult,
  appendInboxItem,
  appendInboxItems,
  type InboxItemsClient,
  messageOf,
  type NewInboxItem,
} from "@fluxnotify/db/queries/inbox";
import {
  type ChannelCommand,
  type InAppMessage,
  type InboxEvent,
  inAppChannel,
  inAppDestination,
  inboxEventsChannel,
} from "@fluxnotify/shared/contracts";
import {
  type ChannelStrategy,
  type Classification,
  createBatcher,
  MESSAGE_BODY_MAX,
  MESSAGE_TITLE_MAX,
  notificationMessage,
} from "@fluxnotify/shared/delivery";
import { AppError, classifyFailure, NonRetryableError } from "@fluxnotify/shared/errors";
import { pingRedis, type Redis } from "@fluxnotify/shared/redis";

export type { InAppMessage };

export interface InAppRendered {
  tenantId: string;
  userId: string;
  /** The §5 Pub/Sub channel, prefixed for this deployment. */
  channel: string;
  /** Where the user's streams hear about the inbox (query-api). */
  inboxChannel: string;
  message: InAppMessage;
  payload: string;
}

/** Bounds of what a feed card shows, in code points (the shared §5 message's). */
export const INAPP_TITLE_MAX = MESSAGE_TITLE_MAX;
export const INAPP_BODY_MAX = MESSAGE_BODY_MAX;

/**
 * Renders one command for the deployment's channel names (`channelPrefix`, CONTRACT §5).
 * The command carries the unprefixed destination; it must be its recipient's own.
 */
export function renderInApp(command: ChannelCommand, channelPrefix: string): InAppRendered {
  const { tenantId } = command;
  const { userId } = command.recipient;
  const expected = inAppDestination(tenantId, userId);
  // The channel name is the only authorisation a subscriber has: never publish to another user's.
  if (command.destination !== expected) {
    throw new NonRetryableError(
      "INAPP_DESTINATION_INVALID",
      `destination is not the recipient's channel ${expected}`,
    );
  }
  const message = notificationMessage(command);
  return {
    tenantId,
    userId,
    channel: inAppChannel(channelPrefix, tenantId, userId),
    inboxChannel: inboxEventsChannel(channelPrefix, tenantId, userId),
    message,
    payload: JSON.stringify(message),
  };
}

/** The inbox (PostgreSQL) could not take the item; `connection`: the server could not be reached. */
export class InboxStoreError extends Error {
  constructor(
    readonly connection: boolean,
    cause: unknown,
  ) {
    super(`inbox unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "InboxStoreError";
  }
}

const REDIS_DOWN_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ECONNRESET",
  "ENETUNREACH",
]);

export function classifyInApp(error: unknown): Classification {
  if (error instanceof AppError)
    return { kind: error.retryable ? "transient" : "permanent", code: error.code };
  if (error instanceof InboxStoreError) {
    if (error.connection) return { kind: "provider_down", code: "INBOX_UNAVAILABLE" };
    // A value PostgreSQL refuses (SQLSTATE 22/23) is refused on every retry.
    const verdict = classifyFailure(error.cause);
    return { kind: verdict.kind, code: verdict.code === "TRANSIENT" ? "INBOX_ERROR" : verdict.code };
  }
  const err = error as { code?: string; name?: string; message?: string };
  if ((err.code && REDIS_DOWN_CODES.has(err.code)) || err.name === "MaxRetriesPerRequestError") {
    return { kind: "provider_down", code: "REDIS_UNAVAILABLE" };
  }
  if (/ETIMEDOUT|timed out/i.test(err.message ?? ""))
    return { kind: "transient", code: "REDIS_TIMEOUT", timeout: true };
  return { kind: "transient", code: "REDIS_ERROR" };
}

/** Why an append failed, as the send's error: unreachable or refused. */
const storeError = (error: unknown) => new InboxStoreError(isDatabaseUnreachable(error), error);

/** Most items one transaction appends: the worker's concurrent sends batch up to this. */
export const INBOX_APPEND_BATCH_MAX = 64;

/**
 * Concurrent sends' appends as one transaction per batch (createBatcher). A value
 * PostgreSQL refuses fails its whole transaction, so a failed batch is appended again item
 * by item: only the item at fault fails, and an unreachable database fails them all at once.
 */
export function inboxAppender(sql: InboxItemsClient): (item: NewInboxItem) => Promise<AppendResult> {
  const alone = (item: NewInboxItem) =>
    appendInboxItem(sql, item).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error: storeError(error) }),
    );
  return createBatcher({
    maxBatch: INBOX_APPEND_BATCH_MAX,
    async run(items) {
      try {
        return (await appendInboxItems(sql, items)).map((value) => ({ ok: true as const, value }));
      } catch (error) {
        if (items.length === 1 || isDatabaseUnreachable(error)) throw storeError(error);
        return Promise.all(items.map(alone));
      }
    },
  });
}

/**
 * The inbox first, then Redis: the item is appended to the user's inbox in PostgreSQL (once:
 * a redelivered command finds it there), and only then announced, on the §5 channel and to
 * the user's streams. A crash between the two leaves the command uncommitted, so it is sent
 * again and the announcement made; a stream that missed it meanwhile replays it from the
 * inbox. Both announcements go in one MULTI: a stream never hears of an item the §5 channel
 * did not carry, or the reverse.
 */
export function inAppStrategy(
  deps: { redis: Redis; sql: InboxItemsClient; ping: () => Promise<void> },
  options: { channelPrefix: string },
): ChannelStrategy<InAppRendered> {
  const { redis } = deps;
  const append = inboxAppender(deps.sql);
  return {
    channel: "IN_APP",
    // One send: the PostgreSQL inbox append, then the Redis Pub/Sub announcement.
    provider: "inbox",
    render: (command) => renderInApp(command, options.channelPrefix),
    async send(rendered) {
      const appended = await append({
        tenantId: rendered.tenantId,
        userId: rendered.userId,
        ...rendered.message,
      });
      const event: InboxEvent = {
        type: "notification",
        seq: appended.entry.seq,
        message: messageOf(appended.entry.item),
        unread: appended.unread,
      };
      const replies = await redis
        .multi()
        .publish(rendered.channel, rendered.payload)
        .publish(rendered.inboxChannel, JSON.stringify(event))
        .exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error("redis transaction aborted");
      return { providerMessageId: `inbox-seq-${appended.entry.seq}` };
    },
    classify: classifyInApp,
    probe: async () => {
      await pingRedis(redis);
      await deps.ping();
    },
  };
}
