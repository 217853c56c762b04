import { inAppChannelPattern } from "@fluxnotify/shared/contracts";
import { Redis } from "ioredis";

export interface PubSubMessage {
  channel: string;
  /** The message as published (JSON text for in-app notifications). */
  message: string;
  /** Epoch milliseconds of receipt. */
  at: number;
}

export interface PubSubRecorder {
  readonly messages: PubSubMessage[];
  /** Parsed JSON of the messages on `channel` (all channels when omitted). */
  json<T = Record<string, unknown>>(channel?: string): T[];
  stop(): Promise<void>;
}

/**
 * Records what in-app clients would see: every user's channel of the tenants matching
 * `tenantPattern` (a PSUBSCRIBE glob). The platform runs without INAPP_CHANNEL_PREFIX, and
 * Pub/Sub ignores the database number, so another platform on the same Redis publishes to
 * the same namespace: narrow the pattern to your tenants.
 */
export async function recordInApp(redisUrl: string, tenantPattern = "*"): Promise<PubSubRecorder> {
  const pattern = inAppChannelPattern("", tenantPattern);
  const messages: PubSubMessage[] = [];
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on("error", () => {}); // reconnects by itself; a Redis restart must not crash the recorder
  redis.on("pmessage", (_pattern: string, channel: string, message: string) => {
    messages.push({ channel, message, at: Date.now() });
  });
  await redis.connect();
  await redis.psubscribe(pattern);
  return {
    messages,
    json: <T>(channel?: string) =>
      messages
        .filter((m) => channel === undefined || m.channel === channel)
        .map((m) => JSON.parse(m.message) as T),
    async stop() {
      await redis.punsubscribe().catch(() => {});
      redis.disconnect();
    },
  };
}
