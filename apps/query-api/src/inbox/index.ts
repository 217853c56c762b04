import type { InboxItemsClient } from "@fluxnotify/db/queries/inbox";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import type { Redis } from "@fluxnotify/shared/redis";
import { createStreamHub, type StreamHub } from "./hub";
import { streamSlots } from "./slots";
import { type StreamTokens, streamTokens } from "./tokens";

export interface InboxSettings {
  /** Open streams one user may hold across every process. */
  maxStreamsPerUser: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  replayMax: number;
  /** How long a stream token waits to be used (at most, and by default, 60 s). */
  tokenTtlSeconds?: number;
}

/** The env's defaults (env.ts), for harnesses and scripts that build the inbox themselves. */
export const DEFAULT_INBOX_SETTINGS: InboxSettings = {
  maxStreamsPerUser: 10,
  heartbeatMs: 20_000,
  maxBufferedBytes: 262_144,
  replayMax: 500,
};

export interface Inbox {
  sql: InboxItemsClient;
  hub: StreamHub;
  tokens: StreamTokens;
  channelPrefix: string;
}

/**
 * The inbox's streaming side, wired: the hub on its own subscriber connection, per-user
 * stream slots and stream tokens on the shared one, names under the deployment's prefix.
 */
export function createInbox(
  deps: {
    sql: InboxItemsClient;
    redis: Redis;
    /** A connection of its own (subscriber mode). */
    subscriber: Redis;
    logger: Logger;
    registry: Registry;
    channelPrefix: string;
  },
  settings: InboxSettings = DEFAULT_INBOX_SETTINGS,
): Inbox {
  const hub = createStreamHub({
    subscriber: deps.subscriber,
    sql: deps.sql,
    // A slot lapses after three missed refreshes (one per heartbeat) of a process that died.
    slots: streamSlots(deps.redis, {
      prefix: deps.channelPrefix,
      cap: settings.maxStreamsPerUser,
      ttlMs: settings.heartbeatMs * 3,
    }),
    channelPrefix: deps.channelPrefix,
    logger: deps.logger,
    registry: deps.registry,
    heartbeatMs: settings.heartbeatMs,
    maxBufferedBytes: settings.maxBufferedBytes,
    replayMax: settings.replayMax,
    reconnectMs: { min: 1_000, max: 5_000 },
  });
  return {
    sql: deps.sql,
    hub,
    tokens: streamTokens(deps.redis, { prefix: deps.channelPrefix, ttlSeconds: settings.tokenTtlSeconds }),
    channelPrefix: deps.channelPrefix,
  };
}
