import { randomUUID } from "node:crypto";
import type { Redis } from "../redis";

/** What we remember about a sent notification; `reported` = its SENT event reached Kafka. */
export interface SentRecord {
  at: string;
  attempts: number;
  providerMessageId?: string;
  latencyMs: number;
  reported: boolean;
}

export interface DedupStore {
  sent(notificationId: string): Promise<SentRecord | undefined>;
  /** Guards against two consumers sending the same notification at the same moment. */
  lock(notificationId: string): Promise<(() => Promise<void>) | undefined>;
  markSent(notificationId: string, record: SentRecord): Promise<void>;
}

// Only delete the lock if it is still ours (it may have expired and been taken by another worker).
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * Per-notification state in Redis. The SENT mark outlives any redelivery window (Kafka
 * retention of the command topics, DLQ replays), so a replayed command is never re-sent.
 */
export function createDedupStore(
  redis: Redis,
  options: { channel: string; sentTtlSeconds: number; lockTtlMs: number; prefix?: string },
): DedupStore {
  const base = `${options.prefix ?? "delivery"}:${options.channel.toLowerCase()}`;
  const sentKey = (id: string) => `${base}:sent:${id}`;
  const lockKey = (id: string) => `${base}:lock:${id}`;
  return {
    async sent(notificationId) {
      const raw = await redis.get(sentKey(notificationId));
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as SentRecord;
      } catch {
        return { at: new Date().toISOString(), attempts: 0, latencyMs: 0, reported: true };
      }
    },
    async lock(notificationId) {
      const token = randomUUID();
      const key = lockKey(notificationId);
      const ok = await redis.set(key, token, "PX", options.lockTtlMs, "NX");
      if (ok !== "OK") return undefined;
      return async () => {
        await redis.eval(RELEASE, 1, key, token);
      };
    },
    async markSent(notificationId, record) {
      await redis.set(sentKey(notificationId), JSON.stringify(record), "EX", options.sentTtlSeconds);
    },
  };
}
