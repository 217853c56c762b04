/**
 * Names of a user's in-app channel (CONTRACT §5). Every process that publishes, subscribes,
 * records or predicts in-app messages builds them here, so they cannot drift apart.
 *
 * The deployment prefix (INAPP_CHANNEL_PREFIX, default empty) keeps two deployments that
 * share one Redis apart: Pub/Sub channels ignore the database number, so without it
 * each would deliver the other's messages to its subscribers.
 */

/** `{prefix}notifications:{tenantId}:{userId}`: the Redis Pub/Sub channel a client subscribes to. */
export const inAppChannel = (prefix: string, tenantId: string, userId: string) =>
  `${prefix}notifications:${tenantId}:${userId}`;

/**
 * The address an IN_APP command carries: the channel without a deployment prefix. The
 * prefix is applied where Redis is used (the in-app worker, subscribers), so notification
 * ids, which derive from the destination, stay the same whatever a deployment calls its
 * channels, and a replayed dead letter still matches after the prefix changes.
 */
export const inAppDestination = (tenantId: string, userId: string) => inAppChannel("", tenantId, userId);

/** A PSUBSCRIBE pattern for every user's channel of the tenants matching `tenantPattern`. */
export const inAppChannelPattern = (prefix: string, tenantPattern = "*") =>
  inAppChannel(prefix, tenantPattern, "*");

/**
 * `{prefix}inbox:{tenantId}:{userId}`, each id percent-encoded: where the in-app inbox's
 * changes are announced to the processes that serve the user's streams (query-api's GET
 * /api/v1/notifications/stream). Internal: the public, §5 channel above carries the in-app
 * message alone, in its fixed shape; this one carries what a stream needs besides (the
 * item's place in the inbox, the unread count), and read-state changes, which are not
 * notifications. Encoded, so tenant `a:b` with user `c` and tenant `a` with user `b:c`
 * never share a channel: the name is all that keeps one user's stream from another's.
 */
export const inboxEventsChannel = (prefix: string, tenantId: string, userId: string) =>
  `${prefix}inbox:${encodeURIComponent(tenantId)}:${encodeURIComponent(userId)}`;

/** A user's unread count and its version: a higher version is a later count. */
export interface UnreadState {
  unreadCount: number;
  version: number;
}

/**
 * CONTRACT §5's in-app message: one JSON object per notification on the user's channel, the
 * `data` of the stream's `event: notification`, and (plus `readAt`) an inbox feed item.
 */
export interface InAppMessage {
  notificationId: string;
  eventType: string;
  title: string;
  body: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/**
 * What goes over `inboxEventsChannel`: a notification appended to the inbox (`seq`: its
 * place, the stream's event id), or a new unread count (an item or all of them read).
 */
export type InboxEvent =
  | { type: "notification"; seq: number; message: InAppMessage; unread: UnreadState }
  | { type: "unread"; unread: UnreadState };

const isUnread = (value: unknown): value is UnreadState => {
  const state = value as UnreadState | null;
  return (
    typeof state === "object" &&
    state !== null &&
    Number.isSafeInteger(state.unreadCount) &&
    Number.isSafeInteger(state.version)
  );
};

/**
 * An announcement as received; undefined for anything else on the channel (never thrown:
 * a subscriber serves many users, and one bad message must not end their streams).
 */
export function parseInboxEvent(text: string): InboxEvent | undefined {
  let value: Partial<{ type: unknown; seq: unknown; message: unknown; unread: unknown }>;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !isUnread(value.unread)) return undefined;
  if (value.type === "unread") return { type: "unread", unread: value.unread };
  const message = value.message as InAppMessage | null;
  if (
    value.type === "notification" &&
    Number.isSafeInteger(value.seq) &&
    (value.seq as number) > 0 &&
    typeof message === "object" &&
    message !== null &&
    typeof message.notificationId === "string"
  ) {
    return { type: "notification", seq: value.seq as number, message, unread: value.unread };
  }
  return undefined;
}
