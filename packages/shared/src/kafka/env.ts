import { z } from "zod";
import { kafkaEnv, loadEnv } from "../env";

/** Configuration of the topic-creation command. */
export const loadCreateTopicsEnv = () =>
  loadEnv({
    ...kafkaEnv,
    TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(64).default(6),
  });
