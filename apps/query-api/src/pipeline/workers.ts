import {
  type Channel,
  WORKER_HEARTBEAT_FRESH_MS,
  workerHeartbeatKey,
  workerHeartbeatSchema,
} from "@fluxnotify/shared/contracts";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";

export interface ChannelWorkers {
  channel: Channel;
  /** "open" if any fresh instance's breaker is; "unknown" with no fresh instance. */
  breaker: "closed" | "open" | "unknown";
  /** Any fresh instance's consumption paused. */
  paused: boolean;
  /** Instances whose heartbeat is fresh (at most WORKER_HEARTBEAT_FRESH_MS old). */
  instances: number;
  /** The newest fresh heartbeat; null with none. */
  reportedAt: string | null;
}

/**
 * Fields this old are removed (by whoever reads them): the instance is long gone, and while
 * other instances keep the hash alive its field would stay for ever. Far beyond "fresh", so
 * a clock a little off never deletes a live instance.
 */
const FORGET_AFTER_MS = 10 * 60_000;

/**
 * The channel workers' heartbeats (contracts/workers.ts): one HGETALL per channel, sent
 * together. Redis unreachable: every channel "unknown" (the dashboard still answers).
 */
export async function readChannelWorkers(options: {
  redis: Redis;
  keyPrefix: string;
  channels: readonly Channel[];
  logger: Logger;
  now?: number;
}): Promise<ChannelWorkers[]> {
  const now = options.now ?? Date.now();
  const hashes = await Promise.all(
    options.channels.map((channel) =>
      options.redis.hgetall(workerHeartbeatKey(options.keyPrefix, channel)).catch((error: unknown) => {
        options.logger.warn({ err: error, channel }, "worker heartbeats not readable");
        return {} as Record<string, string>;
      }),
    ),
  );
  return options.channels.map((channel, n) => {
    const stale: string[] = [];
    const fresh: Array<{ breaker: "closed" | "open"; paused: boolean; at: number }> = [];
    for (const [instance, text] of Object.entries(hashes[n] ?? {})) {
      const parsed = parseBeat(text);
      const age = parsed ? now - parsed.at : Number.POSITIVE_INFINITY;
      if (parsed && age <= WORKER_HEARTBEAT_FRESH_MS) fresh.push(parsed);
      else if (age > FORGET_AFTER_MS) stale.push(instance);
    }
    if (stale.length > 0) {
      options.redis.hdel(workerHeartbeatKey(options.keyPrefix, channel), ...stale).catch(() => {});
    }
    const newest = Math.max(...fresh.map((beat) => beat.at));
    return {
      channel,
      breaker:
        fresh.length === 0 ? "unknown" : fresh.some((beat) => beat.breaker === "open") ? "open" : "closed",
      paused: fresh.some((beat) => beat.paused),
      instances: fresh.length,
      reportedAt: fresh.length === 0 ? null : new Date(newest).toISOString(),
    };
  });
}

function parseBeat(text: string) {
  try {
    const parsed = workerHeartbeatSchema.safeParse(JSON.parse(text));
    return parsed.success ? { ...parsed.data, at: Date.parse(parsed.data.at) } : undefined;
  } catch {
    return undefined;
  }
}
