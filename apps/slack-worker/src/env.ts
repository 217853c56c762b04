import { CHANNEL_DEFINITIONS } from "@fluxnotify/shared/channels";
import { deliveryWorkerEnv } from "@fluxnotify/shared/delivery";
import { baseEnv, kafkaEnv, loadEnv, redisEnv, slackAllowListEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

export const envShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...redisEnv,
  ...slackAllowListEnv,
  ...deliveryWorkerEnv(CHANNEL_DEFINITIONS.SLACK),
  SLACK_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
};

export type Env = ReturnType<typeof loadWorkerEnv>;
export const loadWorkerEnv = (source?: NodeJS.ProcessEnv) => loadEnv(envShape, source);
