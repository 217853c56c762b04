import { z } from "zod";
import { kafkaEnv, loadEnv } from "../env";

/** Configuration of the topic-creation command. */
export const loadCreateTopicsEnv = () =>
  loadEnv({
    ...kafkaEnv,
    TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(64).default(6),
    /**
     * Copies of every partition: 1 on the single local broker, 3 on a cluster (with
     * min.insync.replicas 2, set per topic). More than the cluster's brokers is refused.
     */
    KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  });
