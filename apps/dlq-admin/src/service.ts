import type { Database } from "@fluxnotify/db";
import { type AuthOptions, createHttpApp } from "@fluxnotify/shared/http";
import {
  type ConsumerRunner,
  createConsumerRunner,
  type KafkaConnection,
  type KafkaProducer,
} from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
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
  retryAllMax: number;
  maxBatchSize?: number;
}

export interface DlqAdmin {
  app: ReturnType<typeof createHttpApp>["app"];
  health: ReturnType<typeof createHttpApp>["health"];
  runner: ConsumerRunner;
  pending: PendingGauge;
}

/** Wires the DLQ consumer and the admin API around clients the caller owns (and closes). */
export function createDlqAdmin(options: DlqAdminOptions): DlqAdmin {
  const { db, logger, registry } = options;
  const metrics = dlqMetrics(registry);
  const pending = pendingGauge({ db, metrics, logger });
  const onChanged = () => void pending.refresh();

  const runner = createConsumerRunner({
    connection: options.connection,
    groupId: options.groupId,
    topics: options.topics,
    logger,
    registry,
    startFrom: "earliest",
    maxBatchSize: options.maxBatchSize ?? 500,
    batchHandler: createDlqStore({ db, logger, metrics, domainOf: domainOfTopic, onStored: onChanged }),
  });

  const { app, health } = createHttpApp({
    name: "dlq-admin",
    logger,
    registry,
    auth: options.auth,
    checks: {
      postgres: options.pingDb,
      kafka: async () => {
        if (!runner.isHealthy()) throw new Error("DLQ consumer is not connected");
        await options.producer.ping();
      },
    },
    routes: dlqRoutes({
      db,
      producer: options.producer,
      listTopics: options.listTopics,
      metrics,
      logger,
      retryAllMax: options.retryAllMax,
      onChanged,
    }),
  });
  return { app, health, runner, pending };
}
