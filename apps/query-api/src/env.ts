import { DELIVERY_EVENTS_TOPIC } from "@fluxnotify/shared/contracts";
import {
  authEnv,
  baseEnv,
  databaseEnv,
  kafkaEnv,
  loadEnv,
  port,
  redisEnv,
  resolveAuthEnv,
  slackAllowListEnv,
} from "@fluxnotify/shared/env";
import { z } from "zod";
import { isIanaTimeZone } from "./time-zone";

export { DEV_ONLY_JWT_SECRET } from "@fluxnotify/shared/env";

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
  /** Delivery events the read model cannot take are dead-lettered to `{prefix}{domain}`. */
  DLQ_TOPIC_PREFIX: z.string().min(1).default("notification.dlq."),
  /** Zone stats days are cut in for tenants without a (valid) tenants.time_zone. */
  DEFAULT_TENANT_TIME_ZONE: z
    .string()
    .refine(isIanaTimeZone, "must be an IANA time zone")
    .default("Asia/Seoul"),
  ...authEnv,
};

export type QueryApiEnv = z.infer<z.ZodObject<typeof shape>> & { usingDevJwtSecret: boolean };

/**
 * The one place that reads process.env. Production must configure real key material; other
 * environments fall back to a clearly dev-only HS256 secret.
 */
export function loadQueryApiEnv(source: NodeJS.ProcessEnv = process.env): QueryApiEnv {
  return resolveAuthEnv(loadEnv(shape, source));
}
