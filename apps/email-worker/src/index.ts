import { createDeliveryRuntime } from "@fluxnotify/shared/delivery";
import { startHealthServer } from "@fluxnotify/shared/health";
import { createProducer } from "@fluxnotify/shared/kafka";
import { createRedis } from "@fluxnotify/shared/redis";
import { createServiceContext, exitOnStartupError } from "@fluxnotify/shared/service";
import { loadWorkerEnv } from "./env";
import { createSmtpTransport, emailStrategy } from "./strategy";

const NAME = "email-worker";

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
  const transport = createSmtpTransport({
    url: env.SMTP_URL,
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    user: env.SMTP_USER,
    pass: env.SMTP_PASS,
    secure: env.SMTP_SECURE,
    poolSize: env.SMTP_POOL_SIZE,
    timeoutMs: env.SMTP_TIMEOUT_MS,
    from: env.MAIL_FROM,
  });
  shutdown.register("smtp pool", () => transport.close());

  const runtime = createDeliveryRuntime({
    strategy: emailStrategy(transport, { from: env.MAIL_FROM }),
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
  logger.info({ topic: env.COMMAND_TOPIC, group: env.CONSUMER_GROUP }, "email worker consuming");
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
