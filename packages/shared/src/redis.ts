import { Redis } from "ioredis";
import type { Logger } from "./logger";

export type { Redis };

/**
 * A Redis client that fails fast while Redis is down (commands reject after a few
 * reconnect attempts instead of queueing forever), so callers can retry or back off.
 */
export function createRedis(url: string, options: { logger: Logger; name: string }): Redis {
  const redis = new Redis(url, {
    connectionName: options.name,
    maxRetriesPerRequest: 3,
    // Commands issued in the same tick share one write (concurrent sends, settings lookups).
    enableAutoPipelining: true,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let lastError = "";
  redis.on("error", (error: Error) => {
    // ioredis emits the same error on every reconnect attempt; log each kind once.
    if (error.message !== lastError) options.logger.warn({ err: error, client: options.name }, "redis error");
    lastError = error.message;
  });
  redis.on("ready", () => {
    lastError = "";
  });
  return redis;
}

export async function pingRedis(redis: Redis): Promise<void> {
  const reply = await redis.ping();
  if (reply !== "PONG") throw new Error(`unexpected PING reply ${reply}`);
}
