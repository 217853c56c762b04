import { createHash, randomBytes } from "node:crypto";
import type { Principal } from "@fluxnotify/shared/http";
import type { Redis } from "@fluxnotify/shared/redis";

/** How long a stream token may wait to be used (CONTRACT §4: at most 60 s). */
export const STREAM_TOKEN_TTL_SECONDS = 60;

/** 32 random bytes, base64url: what `issue` hands out, and so the only shape `consume` looks up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface StreamTokens {
  issue(principal: Principal): Promise<{ token: string; expiresIn: number }>;
  /** The principal the token was issued to, once: the token is gone after this call. */
  consume(token: string): Promise<Principal | undefined>;
}

/**
 * Stream tokens (CONTRACT §4) for browsers, whose EventSource cannot send an Authorization
 * header: random, kept in Redis (so any query-api process behind the load balancer accepts
 * one issued by another) under their SHA-256 only, bound to the caller, valid for
 * STREAM_TOKEN_TTL_SECONDS and single-use. Single-use because the token travels in a URL:
 * a copy left in a proxy's log or the browser's history opens nothing. A client opens each
 * connection with a fresh token (the embeddable inbox does), so EventSource's own retry
 * with the same URL is answered 401, and the client asks for another.
 */
export function streamTokens(
  redis: Redis,
  options: { prefix: string; ttlSeconds?: number | undefined },
): StreamTokens {
  const ttlSeconds = Math.min(options.ttlSeconds ?? STREAM_TOKEN_TTL_SECONDS, STREAM_TOKEN_TTL_SECONDS);
  const key = (token: string) =>
    `${options.prefix}stream-token:${createHash("sha256").update(token).digest("base64url")}`;
  return {
    async issue(principal) {
      const token = randomBytes(32).toString("base64url");
      const holder = JSON.stringify({ userId: principal.userId, tenantId: principal.tenantId });
      await redis.set(key(token), holder, "EX", ttlSeconds);
      return { token, expiresIn: ttlSeconds };
    },
    async consume(token) {
      if (!TOKEN.test(token)) return undefined;
      const holder = await redis.getdel(key(token));
      if (!holder) return undefined;
      const { userId, tenantId } = JSON.parse(holder) as { userId: string; tenantId: string };
      // Bound to the user, with none of their roles: a stream needs none.
      return { userId, tenantId, roles: [] };
    },
  };
}
