import { DELIVERY_EVENTS_TOPIC, PROJECTION_CONSUMER_GROUP } from "@fluxnotify/shared/contracts";
import {
  authEnv,
  baseEnv,
  databaseEnv,
  inAppChannelEnv,
  kafkaEnv,
  loadEnv,
  port,
  pushAllowListEnv,
  redisEnv,
  resolveAuthEnv,
  resolveVapidEnv,
  slackAllowListEnv,
  type VapidConfig,
  vapidEnv,
} from "@fluxnotify/shared/env";
import { ConfigError } from "@fluxnotify/shared/errors";
import { z } from "zod";
import { isIanaTimeZone } from "./time-zone";

export { DEV_ONLY_JWT_SECRET } from "@fluxnotify/shared/env";

const shape = {
  ...baseEnv,
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...slackAllowListEnv,
  ...pushAllowListEnv,
  ...vapidEnv,
  /** Push targets (browsers, app tokens) one user may register; the next is a 409. */
  PUSH_MAX_TARGETS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(20),
  ...inAppChannelEnv,
  /** Open inbox streams one user may hold across every query-api process; the next is a 429. */
  STREAM_MAX_PER_USER: z.coerce.number().int().min(1).max(1_000).default(10),
  /** A stream's comment line after this long without a write (CONTRACT §4: at most 25 s). */
  STREAM_HEARTBEAT_MS: z.coerce.number().int().min(100).max(25_000).default(20_000),
  /** Bytes a stream's client may leave unread before it is disconnected (backpressure). */
  STREAM_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1_024).max(16_777_216).default(262_144),
  /** Missed notifications a resuming stream is sent at most (the newest). */
  STREAM_REPLAY_MAX: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * Origins (scheme://host[:port], comma-separated) whose pages may call the inbox endpoints:
   * sites that embed <fluxnotify-inbox> from another origin. Empty: same-origin only.
   */
  INBOX_ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((text) =>
      text
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^https?:\/\/[^/\s,]+$/, "must be an origin: scheme://host[:port], no path")),
    ),
  PORT: port(8080),
  HTTP_HOST: z.string().default("0.0.0.0"),
  HTTP_BODY_LIMIT: z.string().default("64kb"),
  DELIVERY_EVENTS_TOPIC: z.string().min(1).default(DELIVERY_EVENTS_TOPIC),
  PROJECTION_GROUP_ID: z.string().min(1).default(PROJECTION_CONSUMER_GROUP),
  PROJECTION_MAX_BATCH: z.coerce.number().int().min(1).max(5_000).default(500),
  /** Delivery events the read model cannot take are dead-lettered to `{prefix}{domain}`. */
  DLQ_TOPIC_PREFIX: z.string().min(1).default("notification.dlq."),
  /** Zone stats days are cut in for tenants without a (valid) tenants.time_zone. */
  DEFAULT_TENANT_TIME_ZONE: z
    .string()
    .refine(isIanaTimeZone, "must be an IANA time zone")
    .default("Asia/Seoul"),
  ...authEnv,
};

export type QueryApiEnv = z.infer<z.ZodObject<typeof shape>> & {
  usingDevJwtSecret: boolean;
  /** The VAPID public key browsers subscribe with (query-api never needs the private key). */
  vapid: VapidConfig;
};

/**
 * The one place that reads process.env. Production must configure real key material (the JWT
 * secret or JWKS, and VAPID_PUBLIC_KEY); other environments fall back to clearly dev-only ones.
 */
export function loadQueryApiEnv(source: NodeJS.ProcessEnv = process.env): QueryApiEnv {
  const loaded = loadEnv(shape, source);
  // Both checks run, so one message names every missing key, auth and VAPID alike.
  const problems: string[] = [];
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.message.split("\n").slice(1));
      return undefined;
    }
  };
  const auth = attempt(() => resolveAuthEnv(loaded));
  const vapid = attempt(() => resolveVapidEnv(loaded, { privateKey: false }));
  if (!auth || !vapid) throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
  return { ...auth, vapid };
}
