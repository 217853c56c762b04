// Ingest worker throughput on the local broker (not a test): publishes a realistic mix of
// FluxPay events to fresh topics, then starts the worker and measures how fast it turns
// them into commands. Usage: pnpm --filter @fluxnotify/ingest-worker bench [events] [batch size]
import { randomUUID } from "node:crypto";
import { buildPopulation, encodeEvent, planEvents, seedPopulation } from "@fluxnotify/bench/workload";
import { createDbClient, runMigrations } from "@fluxnotify/db";
import { CHANNELS, DOMAINS } from "@fluxnotify/shared/contracts";
import { createAdmin, createDeadLetterWriter, createProducer } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { createRedis } from "@fluxnotify/shared/redis";
import type { IngestTopology } from "../src/config";
import { loadIngestEnv } from "../src/env";
import { startIngest } from "../src/ingest";
import { createIngestMetrics } from "../src/metrics";
import { createTenantWebhookLookup } from "../src/settings";

const totalEvents = Number(process.argv[2] ?? 20_000);
const batchSize = Number(process.argv[3] ?? 250);
const env = loadIngestEnv();
const databaseUrl = env.DATABASE_URL.replace(/\/[^/]+$/, "/fluxnotify_bench");
const logger = createLogger({ name: "bench", level: "warn" });
const registry = createMetricsRegistry("bench");
const connection = { brokers: env.KAFKA_BROKERS, clientId: "bench" };
const run = randomUUID().slice(0, 8);

const topology: IngestTopology = {
  source: Object.fromEntries(
    DOMAINS.map((d) => [d, `bench.${run}.fluxpay.${d}`]),
  ) as IngestTopology["source"],
  replay: Object.fromEntries(DOMAINS.map((d) => [d, `bench.${run}.replay.${d}`])) as IngestTopology["replay"],
  groups: Object.fromEntries(DOMAINS.map((d) => [d, `bench-${run}-${d}`])) as IngestTopology["groups"],
  dlq: Object.fromEntries(DOMAINS.map((d) => [d, `bench.${run}.dlq.${d}`])) as IngestTopology["dlq"],
  commands: Object.fromEntries(
    CHANNELS.map((c) => [c, `bench.${run}.commands.${c}`]),
  ) as IngestTopology["commands"],
  deliveryEvents: `bench.${run}.deliveries`,
  replayOutcomes: `bench.${run}.replay-outcomes`,
};

// The whole-platform bench's workload (bench/src/workload): the same event mix, users and
// settings, so component and end-to-end figures describe the same traffic.
const population = buildPopulation({
  runId: run,
  usersPerTenant: 700,
  webhookUrl: (path) => `http://127.0.0.1:4010${path}`,
});

await runMigrations(databaseUrl);
const database = createDbClient(databaseUrl, { max: 10 });
await seedPopulation(database.db, population);
const admin = createAdmin(connection);
await admin.ensureTopics(
  [
    ...Object.values(topology.source),
    ...Object.values(topology.replay),
    topology.replayOutcomes,
    ...Object.values(topology.commands),
    topology.deliveryEvents,
  ]
    .map((name) => ({ name, partitions: 6 }))
    .concat(Object.values(topology.dlq).map((name) => ({ name, partitions: 1 }))),
);
const producer = createProducer({ connection, logger, registry });
const messages = planEvents(population, totalEvents).map((event) =>
  encodeEvent(event, (domain) => topology.source[domain]),
);
const published = Date.now();
for (let i = 0; i < messages.length; i += 2000) await producer.send(messages.slice(i, i + 2000));
console.log(`published ${messages.length} events in ${Date.now() - published} ms`);

const redis = createRedis(env.REDIS_URL, { logger, name: "bench" });
const metrics = createIngestMetrics(registry);
const started = Date.now();
const worker = await startIngest(
  {
    sql: database.sql,
    redis,
    producer,
    deadLetters: createDeadLetterWriter({ producer, logger }),
    logger,
    metrics,
    config: {
      topology,
      maxEventBytes: 256 * 1024,
      parkDeadlineMs: 600_000,
      settingsCacheTtlSeconds: 300,
    },
    now: () => new Date(),
    parked: { mayExist: true, parks: 0 },
    tenantWebhook: createTenantWebhookLookup({}),
  },
  { connection, registry, domains: [...DOMAINS], batchSize, sweepIntervalMs: 1_000 },
);
const handled = async () => {
  const values = (await metrics.events.get()).values;
  return values.filter((v) => v.labels.outcome !== "released").reduce((sum, v) => sum + v.value, 0);
};
let last = await handled();
while (last < messages.length && Date.now() - started < 600_000) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  last = await handled();
}
const seconds = (Date.now() - started) / 1000;
const parked = (await metrics.events.get()).values
  .filter((v) => v.labels.outcome === "parked")
  .reduce((s, v) => s + v.value, 0);
const notifications = (await metrics.notifications.get()).values.reduce((s, v) => s + v.value, 0);
console.log(
  JSON.stringify({
    events: last,
    seconds,
    eventsPerSecond: Math.round(last / seconds),
    notifications,
    parkedOnTheWay: parked,
    batchSize,
  }),
);
await worker.stop(15_000);
await admin.deleteTopics([
  ...Object.values(topology.source),
  ...Object.values(topology.commands),
  topology.deliveryEvents,
  ...Object.values(topology.dlq),
]);
await Promise.all([admin.close(), producer.close(), redis.quit(), database.close()]);
