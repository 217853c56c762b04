import { createHash } from "node:crypto";
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { type NotificationMessage, notificationMessage, truncate } from "@fluxnotify/shared/delivery";

/** CONTRACT §5: the JSON a device's service worker (or app) receives: the in-app message, plus `url`. */
export interface PushPayload extends NotificationMessage {
  /** The page to open, where one is configured (PUSH_OPEN_URL). */
  url?: string;
}

export interface PushRendered {
  payload: PushPayload;
  /** `payload` serialised: the Web Push plaintext. */
  json: string;
  urgency: "high" | "normal";
  topic: string;
}

/**
 * The largest plaintext that fits the 4096 bytes a push service must accept (RFC 8030 §7.2)
 * once encrypted (RFC 8291): 86 bytes of aes128gcm header (salt, rs, 65-byte key id), the
 * 16-byte tag and the 1-byte record delimiter. FCM's own limit on a message is 4096 too.
 */
export const PUSH_PAYLOAD_MAX_BYTES = 4096 - 86 - 16 - 1;

/** CONTRACT §5: what users should see at once; the rest may wait for the device to wake up. */
const URGENT = new Set([
  "com.fluxpay.payment.failed",
  "com.fluxpay.refund.failed",
  "com.fluxpay.subscription.expiring",
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Topic (RFC 8030 §5.4): at most 32 characters of the base64url alphabet. A uuid's 32 hex
 * digits are exactly that; any other id is hashed down to 32 characters. A redelivered
 * notification then replaces its own undelivered copy instead of showing twice.
 */
export function topicOf(notificationId: string): string {
  if (UUID.test(notificationId)) return notificationId.replaceAll("-", "").toLowerCase();
  return createHash("sha256").update(notificationId).digest("base64url").slice(0, 32);
}

const bytes = (payload: PushPayload) => Buffer.byteLength(JSON.stringify(payload));
/** A code point's size in the JSON the payload travels as (escapes included). */
const jsonCost = (codePoint: string) => Buffer.byteLength(JSON.stringify(codePoint)) - 2;
const SLIM_VALUE_MAX = 100;

/** Only scalar values, strings cut short: what a notification's data keeps when it must shrink. */
function slimData(data: Record<string, unknown>): Record<string, unknown> {
  const slim: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string") slim[key] = truncate(value, SLIM_VALUE_MAX);
    else if (typeof value === "number" || typeof value === "boolean") slim[key] = value;
  }
  return slim;
}

/**
 * Shrinks a payload that would not fit a push message, least important first: the raw
 * `data` values, then `data` altogether, then the body. A normal notification is a few
 * hundred bytes and passes untouched; event data can be arbitrarily long.
 */
export function fitPayload(payload: PushPayload, max = PUSH_PAYLOAD_MAX_BYTES): PushPayload {
  if (bytes(payload) <= max) return payload;
  const slim = { ...payload, data: slimData(payload.data) };
  if (bytes(slim) <= max) return slim;
  const bare = { ...payload, data: {} };
  if (bytes(bare) <= max) return bare;
  const budget = Math.max(0, max - bytes({ ...bare, body: "" }));
  return { ...bare, body: truncate(payload.body, budget, jsonCost) };
}

/** The page a notification opens: PUSH_OPEN_URL with `?notificationId=`. */
export function openUrlFor(base: string, notificationId: string): string {
  const url = new URL(base);
  url.searchParams.set("notificationId", notificationId);
  return url.toString();
}

/**
 * Renders a PUSH command: the same title and body as the in-app feed (the shared copy
 * layer, the same bounds), Korean or English by the recipient's locale.
 */
export function renderPush(command: ChannelCommand, options: { openUrl?: string | undefined }): PushRendered {
  const payload = fitPayload({
    ...notificationMessage(command),
    ...(options.openUrl ? { url: openUrlFor(options.openUrl, command.notificationId) } : {}),
  });
  return {
    payload,
    json: JSON.stringify(payload),
    urgency: URGENT.has(command.eventType) ? "high" : "normal",
    topic: topicOf(command.notificationId),
  };
}

/** Keys FCM refuses in `data` (reserved words, and the google./gcm. prefixes). */
const FCM_RESERVED = /^(from|notification|message_type|collapse_key|google\..*|gcm\..*)$/i;

/**
 * FCM's `data`: string values only. The payload's own fields first, then each scalar of
 * the event data as text (never overriding them); nested values are left to `data` of Web
 * Push, which is JSON.
 */
export function fcmData(payload: PushPayload): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.data)) {
    if (FCM_RESERVED.test(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      data[key] = String(value);
  }
  Object.assign(data, {
    notificationId: payload.notificationId,
    eventType: payload.eventType,
    createdAt: payload.createdAt,
  });
  if (payload.url) data.url = payload.url;
  return data;
}
