import type { Redis } from "@fluxnotify/shared/redis";

/**
 * At most `cap` open streams per user across every query-api process (CONTRACT §4's stream;
 * issue 14): one sorted set per user in Redis, a member per open stream, scored by when it
 * lapses. A process refreshes its streams' scores with every heartbeat and removes them when
 * they end; one that dies leaves members that lapse within `ttlMs`, so a crash never locks a
 * user out for long.
 */
export interface StreamSlots {
  /** False when the user already has `cap` open streams. */
  acquire(tenantId: string, userId: string, streamId: string): Promise<boolean>;
  refresh(streams: Iterable<{ tenantId: string; userId: string; id: string }>): Promise<void>;
  release(tenantId: string, userId: string, streamId: string): Promise<void>;
}

// Atomic: the expired members go, the count is checked and the new member added in one step,
// so two connects racing for the last slot cannot both get it.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

export function streamSlots(
  redis: Redis,
  options: { prefix: string; cap: number; ttlMs: number },
): StreamSlots {
  const key = (tenantId: string, userId: string) =>
    `${options.prefix}stream-slots:${encodeURIComponent(tenantId)}:${encodeURIComponent(userId)}`;
  return {
    async acquire(tenantId, userId, streamId) {
      const now = Date.now();
      // A few hundred bytes of script per stream opened: not worth caching it by SHA.
      const granted = await redis.eval(
        ACQUIRE,
        1,
        key(tenantId, userId),
        now,
        now + options.ttlMs,
        streamId,
        options.cap,
      );
      return granted === 1;
    },
    async refresh(streams) {
      const lapsesAt = Date.now() + options.ttlMs;
      const pipeline = redis.pipeline();
      let any = false;
      for (const stream of streams) {
        const slot = key(stream.tenantId, stream.userId);
        pipeline.zadd(slot, "XX", lapsesAt, stream.id).pexpireat(slot, lapsesAt);
        any = true;
      }
      if (any) await pipeline.exec();
    },
    async release(tenantId, userId, streamId) {
      await redis.zrem(key(tenantId, userId), streamId);
    },
  };
}
