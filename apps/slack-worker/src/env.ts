import { commandTopic } from "@fluxnotify/shared/contracts";
import { deliveryWorkerEnv } from "@fluxnotify/shared/delivery";
import { baseEnv, kafkaEnv, loadEnv, redisEnv, slackAllowListEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

export const envShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...redisEnv,
  ...slackAllowListEnv,
  ...deliveryWorkerEnv({
    commandTopic: commandTopic("SLACK"),
    consumerGroup: "notif-slack",
    healthPort: 9103,
  }),
  SLACK_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
};

export type Env = ReturnType<typeof loadWorkerEnv>;
export const loadWorkerEnv = (source?: NodeJS.ProcessEnv) => loadEnv(envShape, source);
