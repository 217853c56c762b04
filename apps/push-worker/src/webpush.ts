import type { PushTarget } from "@fluxnotify/db/queries/push";
import {
  type AllowListPolicy,
  checkPushEndpoint,
  parseRetryAfter,
  type SendResult,
} from "@fluxnotify/shared/delivery";
import { NonRetryableError, RetryableError } from "@fluxnotify/shared/errors";
import webpush from "web-push";
import { PushGoneError } from "./errors";
import { describeBody, type HttpResponse, type PushHttp } from "./http";
import type { PushRendered } from "./payload";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export interface WebPushOptions {
  http: PushHttp;
  policy: AllowListPolicy;
  vapid: VapidKeys;
  ttlSeconds: number;
}

/** CONTRACT §5's outcomes of a push service's answer (RFC 8030 §5, §8). */
function outcomeOf(response: HttpResponse, host: string, subscriptionId: string): SendResult {
  const { statusCode: status } = response;
  if (status >= 200 && status < 300) return {};
  const body = describeBody(response.body);
  const detail = `push service ${host} answered ${status}${body ? ` (${body})` : ""}`;
  if (status === 404 || status === 410) {
    throw new PushGoneError(
      "PUSH_SUBSCRIPTION_GONE",
      `${detail}: subscription ${subscriptionId} expired or was unsubscribed; removed`,
      true,
    );
  }
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
    throw new RetryableError(
      status === 429 ? "PUSH_RATE_LIMITED" : "PUSH_SERVER_ERROR",
      detail,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  if (status >= 300 && status < 400)
    throw new NonRetryableError("PUSH_REDIRECT_REFUSED", `${detail}; redirects are never followed`);
  if (status === 413) throw new NonRetryableError("PUSH_PAYLOAD_TOO_LARGE", detail);
  // 400 (malformed), 401/403 (VAPID refused): the same request fails the same way again.
  throw new NonRetryableError(`PUSH_HTTP_${status}`, detail);
}

/** A VAPID token's lifetime (RFC 8292 §2: at most 24 h), and how long one is reused. */
const VAPID_LIFETIME_S = 12 * 3600;
const VAPID_REUSE_MS = 3600_000;
const VAPID_CACHE_MAX = 1_000;

/**
 * `Authorization: vapid t=…, k=…` per push-service origin, signed once and reused for an hour
 * (RFC 8292 §2 lets a token serve many requests until it expires). Signing it per message
 * cost about 1 ms of CPU (a PEM built and parsed for every ES256 signature), a quarter of a
 * send; reused, each message costs its encryption alone.
 */
function vapidAuthorizations(vapid: VapidKeys, now = Date.now) {
  const cache = new Map<string, { authorization: string; renewAt: number }>();
  return (origin: string): string => {
    const cached = cache.get(origin);
    if (cached && now() < cached.renewAt) return cached.authorization;
    const expiration = Math.floor(now() / 1000) + VAPID_LIFETIME_S;
    const { Authorization } = webpush.getVapidHeaders(
      origin,
      vapid.subject,
      vapid.publicKey,
      vapid.privateKey,
      "aes128gcm",
      expiration,
    );
    if (cache.size >= VAPID_CACHE_MAX) cache.clear(); // many origins (*.notify.windows.com): stay bounded
    cache.set(origin, { authorization: Authorization, renewAt: now() + VAPID_REUSE_MS });
    return Authorization;
  };
}

/**
 * Sends to a browser's push service: web-push builds the request (aes128gcm encryption for
 * the subscription's keys; the VAPID header comes from the cache above) and our own client
 * sends it, once the endpoint passed the allow-list: no DNS lookup or connection happens for
 * a refused one.
 */
export function webPushSender(options: WebPushOptions) {
  const { http, policy, ttlSeconds } = options;
  const authorizationFor = vapidAuthorizations(options.vapid);
  return async (target: PushTarget, rendered: PushRendered): Promise<SendResult> => {
    const url = checkPushEndpoint(target.address, policy);
    if (!target.keys?.p256dh || !target.keys.auth)
      throw new NonRetryableError("PUSH_SUBSCRIPTION_KEYS_INVALID", `subscription ${target.id} has no keys`);
    const authorization = authorizationFor(url.origin);
    let request: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      request = webpush.generateRequestDetails(
        { endpoint: url.href, keys: { p256dh: target.keys.p256dh, auth: target.keys.auth } },
        rendered.json,
        {
          // No vapidDetails: web-push would sign a new token for every message.
          headers: { Authorization: authorization },
          TTL: ttlSeconds,
          urgency: rendered.urgency,
          topic: rendered.topic,
          contentEncoding: "aes128gcm",
        },
      );
    } catch {
      // web-push's messages may quote the keys: say which subscription, not what it holds.
      throw new NonRetryableError(
        "PUSH_SUBSCRIPTION_KEYS_INVALID",
        `subscription ${target.id}'s keys cannot encrypt a message (need a P-256 point and a 16-byte secret)`,
      );
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      // The client sets Content-Length from the body itself.
      if (name.toLowerCase() !== "content-length") headers[name] = String(value);
    }
    const body = request.body ? Buffer.from(request.body) : Buffer.alloc(0);
    const response = await http.post(url, { body, headers }, "push service");
    return outcomeOf(response, url.host, target.id);
  };
}
