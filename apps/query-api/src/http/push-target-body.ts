import { createPublicKey } from "node:crypto";
import { type AllowListPolicy, checkPushEndpoint } from "@fluxnotify/shared/delivery";
import { z } from "zod";

/**
 * The body of POST /api/v1/notifications/push-subscriptions (CONTRACT §4): a browser's
 * `PushSubscription.toJSON()` (type optional: that is exactly what a browser gives) or an FCM
 * registration token. Every check the push worker relies on happens here, so a stored target
 * is one it can encrypt for and is allowed to call.
 */

/** What browsers and most proxies take in a URL; real push endpoints are 150-500 characters. */
export const MAX_ENDPOINT_LENGTH = 2048;
/** FCM's documented upper bound for a registration token (the size of a cookie). */
export const MAX_FCM_TOKEN_LENGTH = 4096;
export const MAX_LABEL_LENGTH = 100;

/**
 * FCM documents no token format. Real tokens are `<instance id>:APA91b<base64url>`, so
 * URL-safe base64 plus `:` (and `.`, harmless, for whatever a future format adds): nothing
 * that could break out of a JSON string, a header or a log line.
 */
const FCM_TOKEN = /^[A-Za-z0-9_:.-]+$/;
/** base64url as browsers write it (no padding), tolerating the padded form. */
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "required" : `must be ${what}`;

/** Decoded bytes of a base64url string, or undefined when it is not base64url. */
function base64url(value: string): Buffer | undefined {
  if (!BASE64URL.test(value) || value.replace(/=+$/, "").length % 4 === 1) return undefined;
  return Buffer.from(value, "base64url");
}

/** True when `point` (65 bytes, 0x04 ‖ x ‖ y) lies on P-256: node:crypto refuses any other. */
export function isP256Point(point: Buffer): boolean {
  if (point.length !== 65 || point[0] !== 0x04) return false;
  try {
    createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33).toString("base64url"),
      },
      format: "jwk",
    });
    return true;
  } catch {
    return false;
  }
}

/** A base64url key of `bytes` bytes, returned in canonical form (unpadded). */
const keyField = (bytes: number, what: string, extra?: (decoded: Buffer) => string | undefined) =>
  z
    .string({ error: required("a base64url string") })
    .max(256, "must be at most 256 characters")
    .transform((value, ctx) => {
      const decoded = base64url(value);
      if (!decoded) {
        ctx.addIssue({ code: "custom", message: `must be base64url (${what})` });
        return z.NEVER;
      }
      if (decoded.length !== bytes) {
        ctx.addIssue({
          code: "custom",
          message: `must decode to ${bytes} bytes (${what}), got ${decoded.length}`,
        });
        return z.NEVER;
      }
      const problem = extra?.(decoded);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      }
      return decoded.toString("base64url");
    });

const p256dh = keyField(65, "an uncompressed P-256 public key", (point) =>
  point[0] !== 0x04
    ? "must be an uncompressed P-256 point (first byte 0x04)"
    : isP256Point(point)
      ? undefined
      : "is not a point on the P-256 curve",
).describe("the browser's P-256 public key (65 bytes, uncompressed), base64url");

const auth = keyField(16, "the 16-byte authentication secret").describe(
  "the browser's authentication secret (16 bytes), base64url",
);

/** Control characters, lone surrogates, bidi overrides and line separators: nothing a list shows well. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is what it finds
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Optional name of the device ("Work laptop"); blank = none. */
const label = z
  .string({ error: required("a string") })
  .max(MAX_LABEL_LENGTH, `must be at most ${MAX_LABEL_LENGTH} characters`)
  .refine((value) => !UNPRINTABLE.test(value), "must not contain control characters")
  .refine((value) => value.isWellFormed(), "must be well-formed Unicode (no lone surrogates)")
  .transform((value) => value.trim() || null)
  .nullable()
  .optional()
  .describe(`a name for the device, shown in the list (at most ${MAX_LABEL_LENGTH} characters)`);

/**
 * A Web Push endpoint the push worker will call: the same allow-list check it runs before
 * each send (PUSH_ALLOWED_HOSTS), stored as the URL parser writes it, so one endpoint is one
 * row however it was spelled.
 */
const endpoint = (policy: AllowListPolicy) =>
  z
    .string({ error: required("a string (the subscription's URL)") })
    .max(MAX_ENDPOINT_LENGTH, `must be at most ${MAX_ENDPOINT_LENGTH} characters`)
    .transform((value, ctx) => {
      try {
        return checkPushEndpoint(value, policy).href;
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/; not called$/, "") });
        return z.NEVER;
      }
    })
    .describe("the push service URL of the subscription; its host must be on the allow-list");

const unknownKeys = (issue: { code?: string; keys?: string[] }) => {
  if (issue.code === "unrecognized_keys") return `unknown field: ${(issue.keys ?? []).join(", ")}`;
  if (issue.code === "invalid_union") return `must be "webpush" or "fcm"`;
  return undefined;
};

export const webPushBody = (policy: AllowListPolicy) =>
  z.strictObject(
    {
      type: z.literal("webpush").optional().describe("may be omitted, as PushSubscription.toJSON() omits it"),
      endpoint: endpoint(policy),
      // A record per the Push API: keys other than these two are ignored.
      keys: z.object(
        { p256dh, auth },
        { error: required("an object with p256dh and auth (PushSubscription.toJSON().keys)") },
      ),
      expirationTime: z
        .number({ error: required("a number or null") })
        .nullable()
        .optional()
        .describe("accepted and ignored (browsers send null)"),
      label,
    },
    { error: unknownKeys },
  );

export const fcmBody = z.strictObject(
  {
    type: z.literal("fcm"),
    token: z
      .string({ error: required("a string (the FCM registration token)") })
      .min(1, "must not be empty")
      .max(MAX_FCM_TOKEN_LENGTH, `must be at most ${MAX_FCM_TOKEN_LENGTH} characters`)
      .regex(FCM_TOKEN, "must be an FCM registration token (letters, digits and _ - : . only)")
      .describe("the app's FCM registration token"),
    label,
  },
  { error: unknownKeys },
);

export const pushTargetBody = (policy: AllowListPolicy) =>
  z.discriminatedUnion("type", [webPushBody(policy), fcmBody], { error: unknownKeys });

export type PushTargetBody = z.infer<ReturnType<typeof pushTargetBody>>;
