import { CHANNEL_DEFINITIONS } from "@fluxnotify/shared/channels";
import { deliveryWorkerEnv } from "@fluxnotify/shared/delivery";
import { baseEnv, booleanFlag, databaseEnv, kafkaEnv, loadEnv, port, redisEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

export const envShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...redisEnv,
  // Only replays read it: they go to the address the user's settings hold now.
  ...databaseEnv,
  SETTINGS_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(300),
  ...deliveryWorkerEnv(CHANNEL_DEFINITIONS.EMAIL),
  /** smtp(s)://user:pass@host:port — wins over the SMTP_HOST/PORT/USER/PASS/SECURE parts. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  SMTP_HOST: z.string().min(1).default("127.0.0.1"),
  SMTP_PORT: port(1025),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  /** Implicit TLS (port 465); STARTTLS is used anyway when the server offers it. */
  SMTP_SECURE: booleanFlag(false),
  /** Pooled SMTP connections (each carries one message at a time, pipelined). */
  SMTP_POOL_SIZE: z.coerce.number().int().positive().max(100).default(5),
  SMTP_MAX_MESSAGES_PER_CONNECTION: z.coerce.number().int().positive().default(500),
  SMTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  MAIL_FROM: z.string().min(3).default("FluxPay <no-reply@fluxnotify.local>"),
};

export type Env = ReturnType<typeof loadWorkerEnv>;
export const loadWorkerEnv = (source?: NodeJS.ProcessEnv) => loadEnv(envShape, source);
