/**
 * In-app channel benchmark against the local Redis and broker:
 * `pnpm exec tsx scripts/bench.ts [commands=5000] [concurrency=32] [partitions=6]`
 */
import { createDbClient } from "@fluxnotify/db";
import { inAppDestination } from "@fluxnotify/shared/contracts";
import { runDeliveryBench, sampleCommand } from "@fluxnotify/shared/delivery/testing";
import { createLogger } from "@fluxnotify/shared/logger";
import { createRedis } from "@fluxnotify/shared/redis";
import { testEnv } from "@fluxnotify/shared/testing/env";
import { inAppStrategy } from "../src/strategy";

const [n = 5_000, concurrency = 32, partitions = 6] = process.argv.slice(2).map(Number);
const env = testEnv();
const redis = createRedis(env.TEST_REDIS_URL, {
  logger: createLogger({ name: "bench", level: "warn" }),
  name: "bench",
});
// The inbox's rows go to the test database (migrated by the test setup: run the tests once first).
const database = createDbClient(env.TEST_DATABASE_URL, { max: 8, applicationName: "bench" });
const commands = Array.from({ length: n }, (_, i) => {
  const userId = `bench-${i % 500}`;
  return sampleCommand("IN_APP", {
    recipient: { userId, locale: "ko", timeZone: "Asia/Seoul" },
    destination: inAppDestination("tenant-a", userId),
  });
});
const result = await runDeliveryBench({
  brokers: env.TEST_KAFKA_BROKERS,
  redis,
  strategy: inAppStrategy({ redis, sql: database.sql, ping: () => database.ping() }, { channelPrefix: "" }),
  commands,
  concurrency,
  partitions,
});
console.log(JSON.stringify({ channel: "IN_APP", ...result }));
await redis.quit();
await database.close();
