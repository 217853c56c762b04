/**
 * Email channel benchmark against a loopback SMTP stand-in (smtp-server + mailparser):
 * `pnpm exec tsx scripts/bench.ts [commands=2000] [concurrency=64] [partitions=6] [smtpPool=5]`
 */
import { runDeliveryBench, sampleCommand } from "@fluxnotify/shared/delivery/testing";
import { createLogger } from "@fluxnotify/shared/logger";
import { createRedis } from "@fluxnotify/shared/redis";
import { testEnv } from "@fluxnotify/shared/testing/env";
import { createSmtpTransport, emailStrategy } from "../src/strategy";
import { startSmtpServer } from "../test/smtp-server";

const [n = 2_000, concurrency = 64, partitions = 6, poolSize = 5] = process.argv.slice(2).map(Number);
const env = testEnv();
const redis = createRedis(env.TEST_REDIS_URL, {
  logger: createLogger({ name: "bench", level: "warn" }),
  name: "bench",
});
const smtp = await startSmtpServer();
const from = "FluxPay <no-reply@fluxnotify.test>";
const transport = createSmtpTransport({
  host: "127.0.0.1",
  port: smtp.port,
  secure: false,
  poolSize,
  timeoutMs: 10_000,
  from,
});
const commands = Array.from({ length: n }, (_, i) =>
  sampleCommand("EMAIL", { tenantId: `tenant-${i % 200}`, destination: `user${i}@example.com` }),
);
const result = await runDeliveryBench({
  brokers: env.TEST_KAFKA_BROKERS,
  redis,
  strategy: emailStrategy(transport, { from }),
  commands,
  concurrency,
  partitions,
});
console.log(
  JSON.stringify({ channel: "EMAIL", smtpPool: poolSize, received: smtp.received.length, ...result }),
);
transport.close();
await smtp.close();
await redis.quit();
