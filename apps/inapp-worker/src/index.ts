import { createDbClient } from "@fluxnotify/db";
import { runChannelWorker } from "@fluxnotify/shared/delivery";
import { createRedis } from "@fluxnotify/shared/redis";
import { exitOnStartupError } from "@fluxnotify/shared/service";
import { loadWorkerEnv } from "./env";
import { inAppStrategy } from "./strategy";

const NAME = "inapp-worker";

async function main(): Promise<void> {
  const env = loadWorkerEnv();
  await runChannelWorker(NAME, env, ({ redis, logger, shutdown, addReadinessCheck }) => {
    // Clients may subscribe on a separate Redis; by default it is the dedup-state one.
    const pubsub = env.PUBSUB_REDIS_URL
      ? createRedis(env.PUBSUB_REDIS_URL, { logger, name: `${NAME}-pubsub` })
      : redis;
    if (pubsub !== redis) shutdown.register("pubsub redis", async () => void (await pubsub.quit()));
    const db = createDbClient(env.DATABASE_URL, { max: env.DATABASE_POOL_MAX, applicationName: NAME });
    shutdown.register("database", () => db.close());
    addReadinessCheck("database", () => db.ping());
    return inAppStrategy(
      { redis: pubsub, sql: db.sql, ping: () => db.ping() },
      { channelPrefix: env.INAPP_CHANNEL_PREFIX },
    );
  });
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
