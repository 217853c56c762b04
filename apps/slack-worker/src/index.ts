import { createDeliveryRuntime } from "@fluxnotify/shared/delivery";
import { startHealthServer } from "@fluxnotify/shared/health";
import { createProducer } from "@fluxnotify/shared/kafka";
import { createRedis } from "@fluxnotify/shared/redis";
import { createServiceContext, exitOnStartupError } from "@fluxnotify/shared/service";
import { loadWorkerEnv } from "./env";
import { slackStrategy } from "./strategy";

const NAME = "slack-worker";

async function main(): Promise<void> {
  const env = loadWorkerEnv();
  const { logger, registry, shutdown } = createServiceContext(NAME, env);
  const checks = {};
  const health = await startHealthServer({ port: env.HEALTH_PORT, registry, checks, logger });
  shutdown.register("health server", () => health.close());

  const connection = { brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? NAME };
  const redis = createRedis(env.REDIS_URL, { logger, name: NAME });
  shutdown.register("redis", async () => void (await redis.quit()));
  const producer = createProducer({ connection, logger, registry });
  shutdown.register("producer", () => producer.close());
  const strategy = slackStrategy({
    allowedHosts: env.SLACK_ALLOWED_HOSTS,
    allowInsecureLoopback: env.SLACK_ALLOW_INSECURE_LOOPBACK,
    timeoutMs: env.SLACK_TIMEOUT_MS,
  });
  shutdown.register("http agents", () => strategy.close());

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
    dlqTopicPrefix: env.DLQ_TOPIC_PREFIX,
    concurrency: env.CONCURRENCY,
    probeIntervalMs: env.BREAKER_PROBE_INTERVAL_MS,
    dedupTtlSeconds: env.DEDUP_TTL_SECONDS,
  });
  Object.assign(checks, runtime.readinessChecks());
  shutdown.register("consumer", () => runtime.stop());
  // Registered last so it runs first: stop getting traffic before anything closes.
  shutdown.register("readiness", () => health.setShuttingDown(true));
  shutdown.listen();

  await runtime.start();
  health.setStarted(true);
  logger.info(
    { topic: env.COMMAND_TOPIC, group: env.CONSUMER_GROUP, allowedHosts: env.SLACK_ALLOWED_HOSTS },
    "slack worker consuming",
  );
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
