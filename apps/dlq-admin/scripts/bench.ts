/**
 * Throughput of the DLQ consumer (dead letters stored per second) and of the list endpoint.
 * Uses the configured broker and database (point DATABASE_URL at a scratch database, e.g.
 * fluxnotify_test); everything it creates is removed at the end.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/fluxnotify_test pnpm exec tsx scripts/bench.ts [count]
 */
import { randomUUID } from "node:crypto";
import { createDbClient } from "@fluxnotify/db";
import { deadLetterHeaders, replayTargets } from "@fluxnotify/shared/contracts";
import { signToken } from "@fluxnotify/shared/dev-token";
import { listen } from "@fluxnotify/shared/http";
import { createAdmin, createProducer, type OutgoingMessage } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import autocannon from "autocannon";
import { loadDlqAdminEnv } from "../src/env";
import { createDlqAdmin } from "../src/service";

const count = Number(process.argv[2] ?? 20_000);
const env = loadDlqAdminEnv();
const logger = createLogger({ name: "bench", level: "warn" });
const registry = createMetricsRegistry("bench");
const connection = { brokers: env.KAFKA_BROKERS, clientId: "dlq-admin-bench" };
const database = createDbClient(env.DATABASE_URL, { max: 10 });
const kafkaAdmin = createAdmin(connection);
const producer = createProducer({ connection, logger, registry });
const topic = `bench.dlq-payment.${randomUUID().slice(0, 8)}`;
await kafkaAdmin.ensureTopics([{ name: topic, partitions: 3 }]);

const service = createDlqAdmin({
  db: database.db,
  pingDb: database.ping,
  producer,
  listTopics: () => kafkaAdmin.listTopics(),
  connection,
  logger,
  registry,
  auth: { jwtSecret: env.AUTH_JWT_SECRET },
  topics: [topic],
  groupId: `bench-${randomUUID().slice(0, 8)}`,
  outcomes: { topic: env.REPLAY_OUTCOMES_TOPIC, groupId: `bench-outcomes-${randomUUID().slice(0, 8)}` },
  originals: { topic: env.ORIGINALS_TOPIC, groupId: `bench-originals-${randomUUID().slice(0, 8)}` },
  replayTargets: replayTargets(),
  retryAllMax: env.RETRY_ALL_MAX,
});
const server = await listen(service.app, 0, "127.0.0.1");

try {
  const value = JSON.stringify({
    specversion: "1.0",
    id: randomUUID(),
    data: { amount: 15000.0, pad: "x".repeat(400) },
  });
  const records: OutgoingMessage[] = Array.from({ length: count }, (_, i) => ({
    topic,
    key: `tenant-a:pay-${i}`,
    value,
    headers: deadLetterHeaders({
      errorMessage: "SMTP 550 no such mailbox",
      errorCode: "EMAIL_REJECTED",
      retryCount: 3,
      originalTopic: "notification.commands.email",
      originalPartition: i % 6,
      originalOffset: String(i),
      channel: "EMAIL",
      eventId: randomUUID(),
    }),
  }));
  for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));

  const started = performance.now();
  await service.runner.start();
  service.health.setStarted(true);
  for (;;) {
    const [row] = await database.sql`select count(*)::int as n from dlq_messages where dlq_topic = ${topic}`;
    if ((row?.n as number) >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `consume+store: ${count} dead letters in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)}/s`,
  );

  // An operator lists every tenant's dead letters, as the bench's unscoped rows need.
  if (!env.AUTH_JWT_SECRET)
    throw new Error("the bench signs its token with AUTH_JWT_SECRET: unset AUTH_JWKS_URL");
  const token = await signToken(env.AUTH_JWT_SECRET, {
    userId: "bench",
    tenantId: "platform",
    roles: ["operator"],
    ttl: "5m",
  });
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/api/v1/admin/dlq?limit=50&domain=payment&status=PENDING`,
    headers: { authorization: `Bearer ${token}` },
    connections: 10,
    duration: 5,
  });
  console.log(
    `GET /api/v1/admin/dlq?limit=50: ${Math.round(result.requests.average)} req/s, ` +
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
  );
} finally {
  await service.runner.stop(5_000);
  await server.close();
  await producer.close();
  await database.sql`delete from dlq_messages where dlq_topic = ${topic}`;
  await kafkaAdmin.deleteTopics([topic]);
  await kafkaAdmin.close();
  await database.close();
}
