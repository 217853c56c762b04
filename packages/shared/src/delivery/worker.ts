import { CHANNEL_DEFINITIONS } from "../channels/index";
import { kafkaConnectionFrom, type TracingEnv } from "../env";
import { type ReadinessCheck, startHealthServer } from "../http/health-server";
import { createProducer } from "../kafka/index";
import type { Logger } from "../logger";
import type { Registry } from "../metrics";
import { createRedis, type Redis } from "../redis";
import { createServiceContext } from "../service";
import type { ShutdownManager } from "../shutdown";
import { createDeliveryRuntime } from "./runtime";
import type { ChannelStrategy } from "./types";

export type ChannelWorkerEnv = TracingEnv & {
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID?: string | undefined;
  KAFKA_FETCH_MIN_BYTES: number;
  KAFKA_FETCH_MAX_WAIT_MS: number;
  KAFKA_PRODUCER_LINGER_MS: number;
  REDIS_URL: string;
  HEALTH_PORT: number;
  CONSUMER_GROUP: string;
  COMMAND_TOPIC: string;
  DELIVERY_EVENTS_TOPIC: string;
  REPLAY_OUTCOMES_TOPIC: string;
  DLQ_TOPIC_PREFIX: string;
  ORIGINALS_TOPIC: string;
  CONCURRENCY: number;
  BREAKER_PROBE_INTERVAL_MS: number;
  DEDUP_TTL_SECONDS: number;
  /** The deployment's Redis prefix: the worker's heartbeat key starts with it. */
  INAPP_CHANNEL_PREFIX: string;
};

export interface StrategyContext {
  /** The Redis that holds dedup state; a strategy may reuse it (in-app does). */
  redis: Redis;
  logger: Logger;
  registry: Registry;
  /** Register the provider clients' cleanup here; it runs after the consumer drained. */
  shutdown: ShutdownManager;
  /** Adds a dependency of the strategy's own (a database, say) to `/readyz`. */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
}

/**
 * The composition every channel worker shares: health server first (readiness fails until
 * consuming), Redis and producer, the channel's strategy, the delivery runtime, and a
 * shutdown that runs readiness off → consumer drain → provider clients → producer → Redis →
 * health server. A channel app supplies only `createStrategy`.
 */
export async function runChannelWorker<Rendered>(
  name: string,
  env: ChannelWorkerEnv,
  createStrategy: (context: StrategyContext) => ChannelStrategy<Rendered>,
): Promise<void> {
  const { logger, registry, shutdown } = createServiceContext(name, env);
  const checks: Record<string, ReadinessCheck> = {};
  const health = await startHealthServer({ port: env.HEALTH_PORT, registry, checks, logger });
  shutdown.register("health server", () => health.close());

  const connection = kafkaConnectionFrom(env, name);
  const redis = createRedis(env.REDIS_URL, { logger, name });
  shutdown.register("redis", async () => void (await redis.quit()));
  const producer = createProducer({ connection, logger, registry });
  shutdown.register("producer", () => producer.close());
  const strategy = createStrategy({
    redis,
    logger,
    registry,
    shutdown,
    addReadinessCheck: (checkName, check) => {
      checks[checkName] = check;
    },
  });
  const { policy } = CHANNEL_DEFINITIONS[strategy.channel];

  const runtime = createDeliveryRuntime({
    strategy,
    connection,
    producer,
    redis,
    logger,
    registry,
    groupId: env.CONSUMER_GROUP,
    commandTopic: env.COMMAND_TOPIC,
    deliveryEventsTopic: env.DELIVERY_EVENTS_TOPIC,
    replayOutcomesTopic: env.REPLAY_OUTCOMES_TOPIC,
    dlqTopicPrefix: env.DLQ_TOPIC_PREFIX,
    originalsTopic: env.ORIGINALS_TOPIC,
    concurrency: env.CONCURRENCY,
    probeIntervalMs: env.BREAKER_PROBE_INTERVAL_MS,
    // The rest of the channel's declared policy (packages/shared/src/channels).
    retry: { delaysMs: [...policy.retryDelaysMs] },
    timeoutsToOpen: policy.timeoutsToOpen,
    dedupTtlSeconds: env.DEDUP_TTL_SECONDS,
    // Breaker state for query-api's GET /api/v1/dashboard/pipeline.
    heartbeat: { keyPrefix: env.INAPP_CHANNEL_PREFIX },
  });
  Object.assign(checks, runtime.readinessChecks());
  shutdown.register("consumer", () => runtime.stop());
  // Registered last so it runs first: stop getting traffic before anything closes.
  shutdown.register("readiness", () => health.setShuttingDown(true));
  shutdown.listen();

  await runtime.start();
  health.setStarted(true);
  logger.info(
    { channel: strategy.channel, topic: env.COMMAND_TOPIC, group: env.CONSUMER_GROUP },
    "channel worker consuming",
  );
}
