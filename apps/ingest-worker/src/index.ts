import { createDbClient } from "@fluxnotify/db";
import { kafkaConnectionFrom } from "@fluxnotify/shared/env";
import { startHealthServer } from "@fluxnotify/shared/health";
import { createDeadLetterWriter, createProducer, stallDetail } from "@fluxnotify/shared/kafka";
import { createRedis, pingRedis } from "@fluxnotify/shared/redis";
import { createServiceContext, exitOnStartupError } from "@fluxnotify/shared/service";
import { defaultTopology } from "./config";
import { loadIngestEnv } from "./env";
import { startIngest } from "./ingest";
import { createIngestMetrics } from "./metrics";
import { createTenantWebhookLookup } from "./settings";

const NAME = "ingest-worker";

async function main() {
  const env = loadIngestEnv();
  const { logger, registry, shutdown } = createServiceContext(NAME, env);
  const connection = kafkaConnectionFrom(env, NAME);

  // One transaction per domain's batch, plus the sweeper's and releases' connections.
  const poolSize = Math.max(env.DATABASE_POOL_MAX, env.INGEST_DOMAINS.length + 4);
  const database = createDbClient(env.DATABASE_URL, { max: poolSize, applicationName: NAME });
  const redis = createRedis(env.REDIS_URL, { logger, name: NAME });
  const producer = createProducer({ connection, logger, registry });
  let worker: Awaited<ReturnType<typeof startIngest>> | undefined;

  const health = await startHealthServer({
    port: env.HEALTH_PORT,
    registry,
    logger,
    checks: {
      postgres: database.ping,
      redis: () => pingRedis(redis),
      kafka: async () => {
        await producer.ping();
        if (worker && !worker.isHealthy()) throw new Error("a consumer is not connected");
        return stallDetail(worker?.runners ?? []);
      },
    },
  });
  // Shutdown runs in reverse: readiness off → consumers drain and commit → clients close.
  shutdown.register("health server", health.close);
  shutdown.register("postgres", database.close);
  shutdown.register("redis", async () => void (await redis.quit()));
  shutdown.register("producer", producer.close);
  shutdown.register("consumers", () => worker?.stop(env.SHUTDOWN_TIMEOUT_MS - 5_000));
  shutdown.register("readiness", () => health.setShuttingDown(true));
  shutdown.listen();

  worker = await startIngest(
    {
      sql: database.sql,
      redis,
      producer,
      deadLetters: createDeadLetterWriter({ producer, logger }),
      logger,
      metrics: createIngestMetrics(registry),
      config: {
        topology: defaultTopology(),
        maxEventBytes: env.MAX_EVENT_BYTES,
        parkDeadlineMs: env.PARK_DEADLINE_MS,
        settingsCacheTtlSeconds: env.SETTINGS_CACHE_TTL_SECONDS,
      },
      now: () => new Date(),
      parked: { mayExist: true, parks: 0 },
      tenantWebhook: createTenantWebhookLookup(env.tenantWebhooks),
    },
    {
      connection,
      registry,
      domains: env.INGEST_DOMAINS,
      batchSize: env.INGEST_BATCH_SIZE,
      batchLingerMs: env.INGEST_BATCH_LINGER_MS,
      sweepIntervalMs: env.PARK_SWEEP_INTERVAL_MS,
    },
  );
  health.setStarted(true);
  logger.info({ domains: env.INGEST_DOMAINS }, "ingest worker started");
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
