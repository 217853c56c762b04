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

/** The capped Redis stream that keeps a user's recent messages for late subscribers. */
export const inAppHistoryStream = (prefix: string, tenantId: string, userId: string) =>
  `${prefix}notifications:stream:${tenantId}:${userId}`;

/** A PSUBSCRIBE pattern for every user's channel of the tenants matching `tenantPattern`. */
export const inAppChannelPattern = (prefix: string, tenantPattern = "*") =>
  inAppChannel(prefix, tenantPattern, "*");
