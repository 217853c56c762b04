import type { Database } from "@fluxnotify/db";
import {
  type ConsumerRunner,
  createConsumerRunner,
  type DeadLetterWriter,
  type KafkaConnection,
} from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import { createProjectionDeadLetter } from "./dead-letter";
import { createProjector, projectionMetrics } from "./projector";

export interface ProjectionOptions {
  connection: KafkaConnection;
  groupId: string;
  topic: string;
  db: Database;
  logger: Logger;
  registry: Registry;
  defaultTimeZone: string;
  maxBatchSize?: number;
  batchLingerMs?: number;
  commitIntervalMs?: number;
  lagIntervalMs?: number;
  /** Records the read model cannot take are dead-lettered here (`{prefix}{domain}`). */
  deadLetters: { writer: DeadLetterWriter; topicPrefix: string };
}

/**
 * The read-model projection: batches of what one fetch returned, one transaction each;
 * the runner commits offsets only after the batch handler resolved. A new group starts at
 * the earliest offset, which is what a rebuild relies on.
 */
export function createProjectionRunner(options: ProjectionOptions): ConsumerRunner {
  const logger = options.logger.child({ component: "projection" });
  const deadLetter = createProjectionDeadLetter(options.deadLetters.writer, options.deadLetters.topicPrefix);
  return createConsumerRunner({
    connection: options.connection,
    groupId: options.groupId,
    topics: [options.topic],
    logger,
    registry: options.registry,
    startFrom: "earliest",
    // Delivery events are keyed by notification id: nothing personal in a span.
    traceKeys: true,
    maxBatchSize: options.maxBatchSize ?? 500,
    // The read model may trail by 50 ms (nothing waits on it to send): far fewer upsert
    // transactions at moderate rates.
    batchLingerMs: options.batchLingerMs ?? 50,
    commitIntervalMs: options.commitIntervalMs,
    lagIntervalMs: options.lagIntervalMs,
    batchHandler: createProjector({
      db: options.db,
      logger,
      metrics: projectionMetrics(options.registry),
      defaultTimeZone: options.defaultTimeZone,
      deadLetter,
    }),
    deadLetter,
  });
}

/** Readiness detail: total and per-partition lag (messages not yet in the read model). */
export async function projectionLag(
  runner: ConsumerRunner,
): Promise<{ lag: number; partitions: Record<string, number> }> {
  const partitions = await runner.lag();
  return { lag: Object.values(partitions).reduce((sum, n) => sum + n, 0), partitions };
}
