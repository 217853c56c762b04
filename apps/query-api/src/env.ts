import { DELIVERY_EVENTS_TOPIC } from "@fluxnotify/shared/contracts";
import {
  baseEnv,
  databaseEnv,
  kafkaEnv,
  loadEnv,
  port,
  redisEnv,
  slackAllowListEnv,
} from "@fluxnotify/shared/env";
import { ConfigError } from "@fluxnotify/shared/errors";
import { z } from "zod";
import { isIanaTimeZone } from "./time-zone";

/** Used only outside production so a local run needs no setup; never accepted in production. */
export const DEV_ONLY_JWT_SECRET = "dev-only-insecure-jwt-secret-change-me!!";

const optionalText = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

const shape = {
  ...baseEnv,
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...slackAllowListEnv,
  PORT: port(8080),
  HTTP_HOST: z.string().default("0.0.0.0"),
  HTTP_BODY_LIMIT: z.string().default("64kb"),
  DELIVERY_EVENTS_TOPIC: z.string().min(1).default(DELIVERY_EVENTS_TOPIC),
  PROJECTION_GROUP_ID: z.string().min(1).default("notif-query-projection"),
  PROJECTION_MAX_BATCH: z.coerce.number().int().min(1).max(5_000).default(500),
  /** Zone stats days are cut in for tenants without a (valid) tenants.time_zone. */
  DEFAULT_TENANT_TIME_ZONE: z
    .string()
    .refine(isIanaTimeZone, "must be an IANA time zone")
    .default("Asia/Seoul"),
  AUTH_JWT_SECRET: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string().min(32, "must be at least 32 characters (HS256 key)").optional(),
  ),
  AUTH_JWKS_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
};

export type QueryApiEnv = z.infer<z.ZodObject<typeof shape>> & { usingDevJwtSecret: boolean };

/**
 * The one place that reads process.env. Production must configure real key material; other
 * environments fall back to a clearly dev-only HS256 secret.
 */
export function loadQueryApiEnv(source: NodeJS.ProcessEnv = process.env): QueryApiEnv {
  const env = { ...loadEnv(shape, source), usingDevJwtSecret: false };
  if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) {
    if (env.NODE_ENV === "production") {
      throw new ConfigError(
        "invalid configuration:\n  - AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production",
      );
    }
    env.AUTH_JWT_SECRET = DEV_ONLY_JWT_SECRET;
    env.usingDevJwtSecret = true;
  }
  if (env.NODE_ENV === "production" && env.AUTH_JWT_SECRET === DEV_ONLY_JWT_SECRET) {
    throw new ConfigError(
      "invalid configuration:\n  - AUTH_JWT_SECRET: the dev-only secret is not allowed in production",
    );
  }
  return env;
}
