import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "../redis";

/** What we remember about a sent notification; `reported` = its SENT event reached Kafka. */
export interface SentRecord {
  at: string;
  attempts: number;
  providerMessageId?: string;
  latencyMs: number;
  reported: boolean;
}

/** The right to send one notification, held until `release`. */
export interface SendClaim {
  /** Gives the claim up; with `sent`, records the notification as sent in the same round trip. */
  release(sent?: SentRecord): Promise<void>;
}

export type ClaimResult =
  | { kind: "sent"; record: SentRecord }
  | { kind: "claimed"; claim: SendClaim }
  /** Another worker holds the claim right now. */
  | { kind: "busy" };

export interface DedupStore {
  /** One round trip: already sent, or the exclusive right to send it now, or busy elsewhere. */
  claim(notificationId: string): Promise<ClaimResult>;
  /** Updates the record of an already-sent notification (e.g. flag it reported). */
  markSent(notificationId: string, record: SentRecord): Promise<void>;
}

// KEYS: sent, lock. ARGV: token, lock ttl (ms). {1, record} | {2} claimed | {0} busy.
const CLAIM = `
local sent = redis.call("get", KEYS[1])
if sent then return {1, sent} end
if redis.call("set", KEYS[2], ARGV[1], "PX", ARGV[2], "NX") then return {2, ""} end
return {0, ""}`;

// KEYS: lock. ARGV: token, lock ttl (ms). Extends the lock only while it is still ours.
const RENEW = `
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end
return 0`;

// KEYS: sent, lock. ARGV: token, record ("" = none), sent ttl (s). The lock is deleted only
// if it is still ours (it may have expired and been taken by another worker).
const RELEASE = `
if ARGV[2] ~= "" then redis.call("set", KEYS[1], ARGV[2], "EX", ARGV[3]) end
if redis.call("get", KEYS[2]) == ARGV[1] then return redis.call("del", KEYS[2]) end
return 0`;

/**
 * Runs a Lua script by its SHA (EVALSHA), loading it on the first NOSCRIPT: sending the
 * script's text with every EVAL was most of the in-app worker's socket writes under load.
 */
function script(redis: Redis, lua: string, keyCount: number) {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (...keysAndArgs: Array<string | number>): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keyCount, ...keysAndArgs);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(lua, keyCount, ...keysAndArgs);
    }
  };
}

function parseRecord(raw: string): SentRecord {
  try {
    return JSON.parse(raw) as SentRecord;
  } catch {
    return { at: new Date().toISOString(), attempts: 0, latencyMs: 0, reported: true };
  }
}

/**
 * Per-notification state in Redis. The SENT mark outlives any redelivery window (Kafka
 * retention of the command topics, DLQ replays), so a replayed command is never re-sent.
 * Each send costs two round trips: claim, and release with the SENT mark; a send that takes
 * longer than a third of the lock period renews the lock meanwhile.
 */
export function createDedupStore(
  redis: Redis,
  options: { channel: string; sentTtlSeconds: number; lockTtlMs: number; prefix?: string },
): DedupStore {
  const base = `${options.prefix ?? "delivery"}:${options.channel.toLowerCase()}`;
  const sentKey = (id: string) => `${base}:sent:${id}`;
  const lockKey = (id: string) => `${base}:lock:${id}`;
  const claimScript = script(redis, CLAIM, 2);
  const releaseScript = script(redis, RELEASE, 2);
  const renewScript = script(redis, RENEW, 1);
  const markSent = async (notificationId: string, record: SentRecord) => {
    await redis.set(sentKey(notificationId), JSON.stringify(record), "EX", options.sentTtlSeconds);
  };
  return {
    async claim(notificationId) {
      const token = randomUUID();
      const keys = [sentKey(notificationId), lockKey(notificationId)];
      const [kind, raw] = (await claimScript(...keys, token, options.lockTtlMs)) as [number, string];
      if (kind === 1) return { kind: "sent", record: parseRecord(raw) };
      if (kind === 0) return { kind: "busy" };
      // The lock is short and kept alive while this process works on the notification, so a
      // worker killed mid-send blocks the notification for one lock period, not minutes.
      const keepAlive = setInterval(() => {
        renewScript(keys[1] as string, token, options.lockTtlMs).catch(() => {});
      }, options.lockTtlMs / 3);
      keepAlive.unref();
      return {
        kind: "claimed",
        claim: {
          async release(sent) {
            clearInterval(keepAlive);
            const record = sent ? JSON.stringify(sent) : "";
            await releaseScript(...keys, token, record, options.sentTtlSeconds);
          },
        },
      };
    },
    markSent,
  };
}
