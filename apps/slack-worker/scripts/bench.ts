/**
 * Slack channel benchmark against a loopback webhook stand-in (node:http answering "ok"):
 * `pnpm exec tsx scripts/bench.ts [commands=5000] [concurrency=64] [partitions=6]`
 */
import { runDeliveryBench, sampleCommand } from "@fluxnotify/shared/delivery/testing";
import { createLogger } from "@fluxnotify/shared/logger";
import { createRedis } from "@fluxnotify/shared/redis";
import { testEnv } from "@fluxnotify/shared/testing/env";
import { slackStrategy } from "../src/strategy";
import { startWebhookServer } from "../test/webhook-server";

const [n = 5_000, concurrency = 64, partitions = 6] = process.argv.slice(2).map(Number);
const env = testEnv();
const redis = createRedis(env.TEST_REDIS_URL, {
  logger: createLogger({ name: "bench", level: "warn" }),
  name: "bench",
});
const server = await startWebhookServer();
const strategy = slackStrategy({
  allowedHosts: [`127.0.0.1:${server.port}`],
  allowInsecureLoopback: true,
  timeoutMs: 5_000,
});
const commands = Array.from({ length: n }, (_, i) =>
  sampleCommand("SLACK", {
    eventType: "com.fluxpay.payment.failed",
    tenantId: `tenant-${i % 200}`,
    destination: server.url(`/services/T/B/${i % 200}`),
  }),
);
const result = await runDeliveryBench({
  brokers: env.TEST_KAFKA_BROKERS,
  redis,
  strategy,
  commands,
  concurrency,
  partitions,
});
console.log(JSON.stringify({ channel: "SLACK", received: server.requests.length, ...result }));
strategy.close();
await server.close();
await redis.quit();
