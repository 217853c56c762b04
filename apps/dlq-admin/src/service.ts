import type { Database } from "@fluxnotify/db";
import { type AuthOptions, createHttpApp } from "@fluxnotify/shared/http";
import {
  type ConsumerRunner,
  createConsumerRunner,
  type KafkaConnection,
  type KafkaProducer,
  stallDetail,
} from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import { createOriginalsStore } from "./consumer/originals";
import { createOutcomeHandler } from "./consumer/outcomes";
import { domainOfTopic } from "./consumer/parse";
import { createDlqStore } from "./consumer/store";
import { dlqRoutes } from "./http/routes";
import { dlqMetrics, type PendingGauge, pendingGauge } from "./metrics";

export interface DlqAdminOptions {
  db: Database;
  pingDb: () => Promise<void>;
  producer: KafkaProducer;
  listTopics: () => Promise<string[]>;
  connection: KafkaConnection;
  logger: Logger;
  registry: Registry;
  auth: AuthOptions;
  topics: string[];
  groupId: string;
  /** Where replay outcomes arrive (the replay-outcomes topic) and the group that reads it. */
  outcomes: { topic: string; groupId: string };
  /** Originals of oversized dead letters (the originals topic) and the group that keeps them. */
  originals: { topic: string; groupId: string };
  /** Original topic → replay topic; see `replayTargets` in the contracts. */
  replayTargets: Record<string, string>;
  retryAllMax: number;
  retryAllBatch?: number;
  maxBatchSize?: number;
}

export interface DlqAdmin {
  app: ReturnType<typeof createHttpApp>["app"];
  health: ReturnType<typeof createHttpApp>["health"];
  runner: ConsumerRunner;
  outcomeRunner: ConsumerRunner;
  originalsRunner: ConsumerRunner;
  /** Every consumer of the service, for starting and stopping them together. */
  runners: ConsumerRunner[];
  pending: PendingGauge;
}

/** Wires the DLQ consumer and the admin API around clients the caller owns (and closes). */
export function createDlqAdmin(options: DlqAdminOptions): DlqAdmin {
  const { db, logger, registry } = options;
  const metrics = dlqMetrics(registry);
  const pending = pendingGauge({ db, registry, logger });
  const onChanged = () => void pending.refresh();

  const runner = createConsumerRunner({
    connection: options.connection,
    groupId: options.groupId,
    topics: options.topics,
    logger,
    registry,
    startFrom: "earliest",
    maxBatchSize: options.maxBatchSize ?? 500,
    batchLingerMs: 50,
    batchHandler: createDlqStore({ db, logger, metrics, domainOf: domainOfTopic, onStored: onChanged }),
  });

  // A new group starts at the end: replays are made by this service, so it is running (and
  // this group exists) before any outcome it waits for is published.
  const outcomeRunner = createConsumerRunner({
    connection: options.connection,
    groupId: options.outcomes.groupId,
    topics: [options.outcomes.topic],
    logger: logger.child({ consumer: "replay-outcomes" }),
    registry,
    startFrom: "latest",
    maxBatchSize: 1_000,
    batchHandler: createOutcomeHandler({ db, logger, metrics }),
  });

  const originalsRunner = createConsumerRunner({
    connection: options.connection,
    groupId: options.originals.groupId,
    topics: [options.originals.topic],
    logger: logger.child({ consumer: "originals" }),
    registry,
    startFrom: "earliest",
    maxBatchSize: 50,
    batchHandler: createOriginalsStore({ db, logger }),
  });
  const runners = [runner, outcomeRunner, originalsRunner];

  const { app, health } = createHttpApp({
    name: "dlq-admin",
    logger,
    registry,
    auth: options.auth,
    checks: {
      postgres: options.pingDb,
      kafka: async () => {
        if (!runner.isHealthy()) throw new Error("DLQ consumer is not connected");
        if (!outcomeRunner.isHealthy()) throw new Error("replay-outcome consumer is not connected");
        if (!originalsRunner.isHealthy()) throw new Error("originals consumer is not connected");
        await options.producer.ping();
        return stallDetail(runners);
      },
    },
    routes: dlqRoutes({
      db,
      producer: options.producer,
      listTopics: options.listTopics,
      replayTargets: options.replayTargets,
      metrics,
      logger,
      retryAllMax: options.retryAllMax,
      ...(options.retryAllBatch ? { retryAllBatch: options.retryAllBatch } : {}),
      onChanged,
    }),
  });
  return { app, health, runner, outcomeRunner, originalsRunner, runners, pending };
}
