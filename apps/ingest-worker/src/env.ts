import { DOMAINS } from "@fluxnotify/shared/contracts";
import {
  baseEnv,
  csvList,
  databaseEnv,
  kafkaEnv,
  loadEnv,
  port,
  redisEnv,
  tenantWebhooksFrom,
} from "@fluxnotify/shared/env";
import { z } from "zod";

export function loadIngestEnv(source: NodeJS.ProcessEnv = process.env) {
  const env = loadEnv(
    {
      ...baseEnv,
      ...kafkaEnv,
      ...databaseEnv,
      ...redisEnv,
      HEALTH_PORT: port(9101),
      /** Which FluxPay domains this process consumes (any subset; more processes share partitions). */
      INGEST_DOMAINS: csvList(DOMAINS.join(",")).pipe(z.array(z.enum(DOMAINS)).min(1)),
      // Each in-flight event holds one database connection for its transaction.
      /** Records handled per transaction and produce request (a fetch may hand over fewer). */
      INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(2_000).default(250),
      /** How long a small batch waits for more events (one transaction for what arrives meanwhile). */
      INGEST_BATCH_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(10),
      MAX_EVENT_BYTES: z.coerce
        .number()
        .int()
        .min(1024)
        .default(256 * 1024),
      /** How long a payment/refund waits for its order before it is dead-lettered. */
      PARK_DEADLINE_MS: z.coerce
        .number()
        .int()
        .positive()
        .default(10 * 60 * 1000),
      PARK_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
      SETTINGS_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    },
    source,
  );
  // SLACK_WEBHOOK_URL_{TENANT}: the tenant's operations channel (CONTRACT §6); the tenants
  // table takes precedence when it has a webhook.
  return { ...env, tenantWebhooks: tenantWebhooksFrom(source) };
}

export type IngestEnv = ReturnType<typeof loadIngestEnv>;
