import { z } from "zod";
import { ConfigError } from "./errors";

/**
 * Building blocks for each app's own `env.ts`. Each app composes the pieces it needs into
 * one zod object and calls `loadEnv`, which is the only place that reads `process.env`.
 * Defaults fit a local run (see docs/configuration.md).
 */

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    );

/** "true"/"1" or "false"/"0", for feature switches. */
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1");

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** An optional setting: unset or set to the empty string (`X=`), it is absent. */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const optionalText = unsetWhenEmpty(z.string().min(1));

const optionalUrl = unsetWhenEmpty(z.string().regex(/^https?:\/\//, "must be an http(s):// URL"));

/**
 * OpenTelemetry tracing (docs/operations.md, "Tracing"), by the standard OTEL_* names: off
 * unless an OTLP endpoint is set, and off whenever OTEL_SDK_DISABLED is true. These decide
 * whether and how the SDK starts; the OTLP exporter reads its own transport settings
 * (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, certificates) itself, as the
 * specification defines them, and the resource OTEL_RESOURCE_ATTRIBUTES: nothing here
 * would add to the SDK's parsing of those, and they matter only once tracing is on.
 */
export const tracingEnv = {
  OTEL_SDK_DISABLED: booleanFlag(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  /** The app's name (ingest-worker, …) when unset. */
  OTEL_SERVICE_NAME: optionalText,
  OTEL_TRACES_SAMPLER: z
    .enum([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ])
    .default("parentbased_always_on"),
  /** The ratio of the *traceidratio samplers (0…1). */
  OTEL_TRACES_SAMPLER_ARG: unsetWhenEmpty(z.coerce.number().min(0).max(1)),
  /** How often finished spans are exported (SDK 3.x no longer reads the OTEL_BSP_* variables itself). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(60_000).default(5_000),
};

export type TracingEnv = z.infer<z.ZodObject<typeof tracingEnv>>;

export const baseEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
  ...tracingEnv,
};

export const kafkaEnv = {
  KAFKA_BROKERS: csv("127.0.0.1:9092").pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, "host:port")).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /**
   * Long-poll fetches (Kafka's own defaults): a fetch returns as soon as this many bytes are
   * there, and waits up to KAFKA_FETCH_MAX_WAIT_MS when there are none, so an idle consumer
   * costs (almost) nothing and a busy one batches by itself while its handler works.
   */
  KAFKA_FETCH_MIN_BYTES: z.coerce.number().int().min(1).max(1_048_576).default(1),
  KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(1).max(30_000).default(500),
  /** Concurrent sends within this many ms share one produce request. */
  KAFKA_PRODUCER_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(5),
};

/** The Kafka connection an app's env describes (see kafkaEnv). */
export function kafkaConnectionFrom(
  env: {
    KAFKA_BROKERS: string[];
    KAFKA_CLIENT_ID?: string | undefined;
    KAFKA_FETCH_MIN_BYTES: number;
    KAFKA_FETCH_MAX_WAIT_MS: number;
    KAFKA_PRODUCER_LINGER_MS: number;
  },
  name: string,
) {
  return {
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID ?? name,
    fetch: { minBytes: env.KAFKA_FETCH_MIN_BYTES, maxWaitMs: env.KAFKA_FETCH_MAX_WAIT_MS },
    producerLingerMs: env.KAFKA_PRODUCER_LINGER_MS,
  };
}

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .default("postgres://postgres@127.0.0.1:5432/fluxnotify"),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
};

export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379/0"),
};

/** Which webhook hosts may ever be called (slack-worker) or saved as a user's webhook (query-api). */
export const slackAllowListEnv = {
  SLACK_ALLOWED_HOSTS: csv("hooks.slack.com"),
  /** Local runs and tests only: plain http to an allow-listed loopback host. */
  SLACK_ALLOW_INSECURE_LOOPBACK: booleanFlag(false),
};

/**
 * Which push-service hosts may ever be called (push-worker) or registered as a browser's
 * endpoint (query-api), CONTRACT §4/§5: the major browsers' services by default (Chrome:
 * FCM, Firefox: Mozilla autopush, Safari: Apple, Edge: Windows Push Notification Services
 * on per-region hosts, hence the `*.` entry, which matches any subdomain and never the bare
 * domain).
 */
export const DEFAULT_PUSH_ALLOWED_HOSTS = [
  "fcm.googleapis.com",
  "updates.push.services.mozilla.com",
  "web.push.apple.com",
  "*.notify.windows.com",
] as const;

export const pushAllowListEnv = {
  PUSH_ALLOWED_HOSTS: csv(DEFAULT_PUSH_ALLOWED_HOSTS.join(",")),
  /** Local runs and tests only: plain http to an allow-listed loopback host. */
  PUSH_ALLOW_INSECURE_LOOPBACK: booleanFlag(false),
};

/**
 * Used only outside production, as the JWT secret is, so a local run needs no key setup:
 * published here, so anyone can sign as this server. Production must configure its own
 * pair (`bin/vapid` generates one).
 */
export const DEV_ONLY_VAPID_KEYS = {
  publicKey: "BM64AmhkbpmsFhDvkxSlBEBY1QO7DZjOI_f5coYiHNS3sGVPvSD-RpQPgHLoRij0Sk2RhAoQfTlmhBdECEBNGIU",
  privateKey: "2YkYwbLwxrTce9YFiMmjTTW45EsascCN1t-IGe0Dhn0",
} as const;

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, `must be base64url (${what})`)
    .refine(
      (value) => Buffer.from(value, "base64url").length === bytes,
      `must decode to ${bytes} bytes (${what})`,
    );

/** The application server's VAPID identity (RFC 8292); see resolveVapidEnv for the defaults. */
export const vapidEnv = {
  VAPID_PUBLIC_KEY: unsetWhenEmpty(base64url(65, "an uncompressed P-256 point")),
  VAPID_PRIVATE_KEY: unsetWhenEmpty(base64url(32, "a P-256 private scalar")),
  /** The contact push services reach the operator at: mailto: or https:. */
  VAPID_SUBJECT: unsetWhenEmpty(
    z
      .string()
      .regex(/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/, "must be a mailto: address or an https: URL"),
  ),
};

export interface VapidConfig {
  publicKey: string;
  /** Absent where only the public key is needed (query-api publishes it). */
  privateKey?: string;
  subject: string;
  usingDevKeys: boolean;
}

/**
 * Production must configure its own pair and subject; elsewhere missing ones fall back to
 * the dev-only pair (flagged, so the app can warn). A public key without its private key
 * (or the reverse) is refused where both are needed: they must belong together.
 */
export function resolveVapidEnv(
  env: {
    NODE_ENV: string;
    VAPID_PUBLIC_KEY?: string | undefined;
    VAPID_PRIVATE_KEY?: string | undefined;
    VAPID_SUBJECT?: string | undefined;
  },
  needs: { privateKey: boolean },
): VapidConfig {
  const production = env.NODE_ENV === "production";
  const problems: string[] = [];
  if (production) {
    if (!env.VAPID_PUBLIC_KEY) problems.push("VAPID_PUBLIC_KEY: required in production (not set)");
    if (needs.privateKey && !env.VAPID_PRIVATE_KEY)
      problems.push("VAPID_PRIVATE_KEY: required in production (not set)");
    if (needs.privateKey && !env.VAPID_SUBJECT)
      problems.push("VAPID_SUBJECT: required in production (not set)");
    if (env.VAPID_PUBLIC_KEY === DEV_ONLY_VAPID_KEYS.publicKey)
      problems.push("VAPID_PUBLIC_KEY: the dev-only key pair is not allowed in production");
  } else if (needs.privateKey && Boolean(env.VAPID_PUBLIC_KEY) !== Boolean(env.VAPID_PRIVATE_KEY)) {
    problems.push("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither");
  }
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n${problems.map((line) => `  - ${line}`).join("\n")}`);
  const subject = env.VAPID_SUBJECT ?? "mailto:dev@fluxnotify.invalid";
  if (env.VAPID_PUBLIC_KEY)
    return {
      publicKey: env.VAPID_PUBLIC_KEY,
      ...(env.VAPID_PRIVATE_KEY ? { privateKey: env.VAPID_PRIVATE_KEY } : {}),
      subject,
      usingDevKeys: false,
    };
  return { ...DEV_ONLY_VAPID_KEYS, subject, usingDevKeys: true };
}

/**
 * CONTRACT §5: an optional prefix in front of every in-app channel, for deployments that
 * share one Redis (see contracts/inapp.ts). Characters that are special in PSUBSCRIBE
 * patterns (`*`, `?`, `[`, `\`) are refused, so subscribers can match `{prefix}notifications:*`.
 */
export const inAppChannelEnv = {
  INAPP_CHANNEL_PREFIX: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9._:-]*$/, "letters, digits and . _ : - only (e.g. blue:)")
    .default(""),
};

const TENANT_WEBHOOK_PREFIX = "SLACK_WEBHOOK_URL_";

/**
 * The {TENANT} of SLACK_WEBHOOK_URL_{TENANT}: upper-cased, non-alphanumerics as `_`
 * (tenant-a → TENANT_A; FluxPay's tenant-less `__default__` → `__DEFAULT__`).
 */
export const tenantEnvKey = (tenantId: string) => tenantId.toUpperCase().replace(/[^A-Z0-9]/g, "_");

/** The variable that holds a tenant's operations webhook (CONTRACT §6). */
export const tenantWebhookVariable = (tenantId: string) =>
  `${TENANT_WEBHOOK_PREFIX}${tenantEnvKey(tenantId)}`;

/**
 * Every SLACK_WEBHOOK_URL_{TENANT} in `source`, keyed by tenantEnvKey of its suffix, so a
 * variable matches its tenant whatever case the operator wrote it in
 * (SLACK_WEBHOOK_URL___default__ and SLACK_WEBHOOK_URL___DEFAULT__ alike).
 */
export function tenantWebhooksFrom(source: NodeJS.ProcessEnv): Record<string, string> {
  const webhooks: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith(TENANT_WEBHOOK_PREFIX) && value)
      webhooks[tenantEnvKey(name.slice(TENANT_WEBHOOK_PREFIX.length))] = value;
  }
  return webhooks;
}

export { csv as csvList };

/**
 * Parses the environment against `shape`. On failure throws one ConfigError naming every
 * bad variable, so a misconfigured deployment is fixed in one round trip.
 */
export function loadEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(root)";
    const got = source[String(issue.path[0])];
    return `  - ${name}: ${issue.message}${got === undefined ? " (not set)" : ""}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}

/** Used only outside production so local runs and tests need no key setup; refused in production. */
export const DEV_ONLY_JWT_SECRET = "dev-only-insecure-jwt-secret-change-me!!";

/** JWT verification for the HTTP APIs (CONTRACT §4): HS256 secret and/or a JWKS URL. */
export const authEnv = {
  AUTH_JWT_SECRET: unsetWhenEmpty(z.string().min(32, "must be at least 32 characters (HS256 key)")),
  AUTH_JWKS_URL: unsetWhenEmpty(z.url()),
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
};

/**
 * Production must configure real key material; elsewhere a missing one falls back to the
 * dev-only secret (flagged, so the app can warn loudly).
 */
export function resolveAuthEnv<
  E extends { NODE_ENV: string; AUTH_JWT_SECRET?: string | undefined; AUTH_JWKS_URL?: string | undefined },
>(env: E): E & { usingDevJwtSecret: boolean } {
  const production = env.NODE_ENV === "production";
  if (production && env.AUTH_JWT_SECRET === DEV_ONLY_JWT_SECRET) {
    throw new ConfigError(
      "invalid configuration:\n  - AUTH_JWT_SECRET: the dev-only secret is not allowed in production",
    );
  }
  if (env.AUTH_JWT_SECRET || env.AUTH_JWKS_URL) return { ...env, usingDevJwtSecret: false };
  if (production) {
    throw new ConfigError(
      "invalid configuration:\n  - AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production (not set)",
    );
  }
  return { ...env, AUTH_JWT_SECRET: DEV_ONLY_JWT_SECRET, usingDevJwtSecret: true };
}
