import { DOMAINS, dlqTopic } from "@fluxnotify/shared/contracts";
import { baseEnv, csvList, databaseEnv, kafkaEnv, loadEnv, port } from "@fluxnotify/shared/env";
import { ConfigError } from "@fluxnotify/shared/errors";
import { z } from "zod";

/** Only ever used outside production, so a local run and the tests need no setup. */
export const DEV_ONLY_JWT_SECRET = "dev-only-insecure-jwt-secret-do-not-deploy";

const shape = {
  ...baseEnv,
  ...kafkaEnv,
  ...databaseEnv,
  PORT: port(8081),
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  DLQ_TOPICS: csvList(DOMAINS.map(dlqTopic).join(",")).pipe(z.array(z.string().min(1)).min(1)),
  CONSUMER_GROUP: z.string().min(1).default("notif-dlq-admin"),
  /** Upper bound of dead letters one retry-all call replays. */
  RETRY_ALL_MAX: z.coerce.number().int().min(1).max(10_000).default(1_000),
  PENDING_GAUGE_REFRESH_MS: z.coerce.number().int().min(1_000).default(30_000),
};

export type DlqAdminEnv = ReturnType<typeof loadDlqAdminEnv>;

export function loadDlqAdminEnv(source: NodeJS.ProcessEnv = process.env) {
  const env = loadEnv(shape, source);
  const hasAuth = Boolean(env.AUTH_JWT_SECRET || env.AUTH_JWKS_URL);
  if (!hasAuth && env.NODE_ENV === "production") {
    throw new ConfigError(
      "invalid configuration:\n  - AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production (not set)",
    );
  }
  return { ...env, AUTH_JWT_SECRET: hasAuth ? env.AUTH_JWT_SECRET : DEV_ONLY_JWT_SECRET };
}
