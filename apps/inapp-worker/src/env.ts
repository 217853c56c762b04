import { CHANNEL_DEFINITIONS } from "@fluxnotify/shared/channels";
import { deliveryWorkerEnv } from "@fluxnotify/shared/delivery";
import { baseEnv, databaseEnv, inAppChannelEnv, kafkaEnv, loadEnv, redisEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

export const envShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...redisEnv,
  // The inbox (CONTRACT §4): every in-app notification is kept there, with its read state.
  ...databaseEnv,
  ...inAppChannelEnv,
  ...deliveryWorkerEnv(CHANNEL_DEFINITIONS.IN_APP),
  /** Redis that clients subscribe to; defaults to REDIS_URL (dedup state lives there too). */
  PUBSUB_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
};

export type Env = ReturnType<typeof loadWorkerEnv>;
export const loadWorkerEnv = (source?: NodeJS.ProcessEnv) => loadEnv(envShape, source);
