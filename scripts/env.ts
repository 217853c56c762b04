import { kafkaEnv, loadEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

/** Configuration of the repository scripts (topic creation, dev supervisor). */
export const loadScriptEnv = () =>
  loadEnv({
    ...kafkaEnv,
    TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(64).default(6),
  });
