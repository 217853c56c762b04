/**
 * Web Push throughput of a real push-worker process (the bundle, dist/index.js) against the
 * Web Push stand-in, which verifies VAPID and decrypts every message as a push service would:
 *   pnpm --filter @fluxnotify/push-worker build
 *   pnpm --filter @fluxnotify/push-worker exec tsx scripts/bench-push.ts [commands=5000] [concurrency=64] [devices=500]
 * Reports sends/s (first command produced → last delivery event) and the worker's CPU per
 * send (utime + stime from /proc/<pid>/stat over the run, cross-checked against its
 * process_cpu_seconds_total metric). BENCH_NODE_ARGS adds node flags to the worker's command line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createDbClient } from "@fluxnotify/db";
import { runMigrations } from "@fluxnotify/db/migrate";
import { registerPushTarget } from "@fluxnotify/db/queries/push";
import { commandPayload, type DeliveryEvent, DOMAINS } from "@fluxnotify/shared/contracts";
import { sampleCommand } from "@fluxnotify/shared/delivery/testing";
import {
  type ConsumedMessage,
  createAdmin,
  createConsumerRunner,
  createProducer,
} from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { testEnv } from "@fluxnotify/shared/testing/env";
import { startWebPushService } from "@fluxnotify/shared/testing/push";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";

const [n = 5_000, concurrency = 64, devices = 500] = process.argv.slice(2).map(Number);
const bundle = fileURLToPath(new URL("../dist/index.js", import.meta.url));
if (!existsSync(bundle))
  throw new Error("no dist/index.js: run pnpm --filter @fluxnotify/push-worker build first");

const env = testEnv();
const logger = createLogger({ name: "bench", level: "warn" });
const registry = createMetricsRegistry("bench");
const connection = { brokers: env.TEST_KAFKA_BROKERS, clientId: "push-bench" };
const id = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
const topics = {
  command: `bench.push.commands.${id}`,
  events: `bench.push.events.${id}`,
  outcomes: `bench.push.replay-outcomes.${id}`,
  originals: `bench.push.originals.${id}`,
  dlqPrefix: `bench.push.dlq.${id}.`,
};
const allTopics = [
  topics.command,
  topics.events,
  topics.outcomes,
  topics.originals,
  ...DOMAINS.map((d) => `${topics.dlqPrefix}${d}`),
];

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** utime + stime of a process, in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function metricCpuSeconds(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("process_cpu_seconds_total"));
  return Number(line?.split(" ").at(-1));
}

async function waitReady(port: number, worker: ChildProcess) {
  const started = Date.now();
  for (;;) {
    if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {}
    if (Date.now() - started > 60_000) throw new Error("worker not ready within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// The bench's own copy of push_subscriptions, in a schema of its own (dropped at the end).
await runMigrations(env.TEST_DATABASE_URL);
const schemaName = `bench_push_${id.replace(/[^a-z0-9]/g, "_")}`;
const adminDb = createDbClient(env.TEST_DATABASE_URL, { max: 1, applicationName: "push-bench" });
await adminDb.sql`create schema ${adminDb.sql(schemaName)}`;
await adminDb.sql`create table ${adminDb.sql(schemaName)}.push_subscriptions (like public.push_subscriptions including all)`;
const databaseUrl = new URL(env.TEST_DATABASE_URL);
databaseUrl.searchParams.set("search_path", schemaName);
const db = createDbClient(databaseUrl.toString(), { max: 2, applicationName: "push-bench" });
const vapid = generateVapidKeys();
const service = await startWebPushService({ vapidPublicKey: vapid.publicKey });
const admin = createAdmin(connection);
await admin.ensureTopics(allTopics.map((name) => ({ name, partitions: name === topics.command ? 6 : 1 })));
const producer = createProducer({ connection, logger, registry });
const events: ConsumedMessage[] = [];
const collector = createConsumerRunner({
  connection,
  groupId: `bench-collect-${id}`,
  topics: [topics.events],
  logger,
  registry,
  startFrom: "earliest",
  batchHandler: async (batch) => {
    events.push(...batch);
  },
});
await collector.start();

const targets: Array<{ id: string; userId: string }> = [];
for (let i = 0; i < devices; i++) {
  const userId = `user-${i}`;
  const subscription = service.createBrowserSubscription();
  const result = await registerPushTarget(
    db.sql as unknown as Parameters<typeof registerPushTarget>[0],
    {
      tenantId: "tenant-a",
      userId,
      type: "webpush",
      address: subscription.endpoint,
      keys: subscription.keys,
      label: null,
    },
    10,
  );
  if (result.kind !== "cap_reached") targets.push({ id: result.target.id, userId });
}

const healthPort = await freePort();
// BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/push-prof" profiles the worker.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const worker = spawn(process.execPath, [...nodeArgs, "--enable-source-maps", bundle], {
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    PATH: process.env.PATH,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    KAFKA_BROKERS: env.TEST_KAFKA_BROKERS.join(","),
    REDIS_URL: env.TEST_REDIS_URL,
    DATABASE_URL: databaseUrl.toString(),
    HEALTH_PORT: String(healthPort),
    CONSUMER_GROUP: `bench-push-${id}`,
    COMMAND_TOPIC: topics.command,
    DELIVERY_EVENTS_TOPIC: topics.events,
    REPLAY_OUTCOMES_TOPIC: topics.outcomes,
    ORIGINALS_TOPIC: topics.originals,
    DLQ_TOPIC_PREFIX: topics.dlqPrefix,
    CONCURRENCY: String(concurrency),
    PUSH_ALLOWED_HOSTS: `127.0.0.1:${service.port}`,
    PUSH_ALLOW_INSECURE_LOOPBACK: "true",
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: "mailto:bench@fluxnotify.example",
  },
});
try {
  await waitReady(healthPort, worker);
  const pid = worker.pid ?? 0;
  const commands = Array.from({ length: n }, (_, i) => {
    const target = targets[i % targets.length] ?? { id: "", userId: "" };
    return sampleCommand("PUSH", {
      eventType: i % 2 ? "com.fluxpay.payment.approved" : "com.fluxpay.payment.failed",
      destination: target.id,
      recipient: { userId: target.userId, locale: "ko", timeZone: "Asia/Seoul" },
    });
  });
  const cpuBefore = cpuMs(pid);
  const metricBefore = await metricCpuSeconds(healthPort);
  const started = performance.now();
  for (let i = 0; i < commands.length; i += 1_000)
    await producer.send(
      commands.slice(i, i + 1_000).map((c) => ({ ...commandPayload(c), topic: topics.command })),
    );
  const terminal = () => events.filter((m) => !m.value?.includes('"status":"PENDING"')).length;
  while (terminal() < n) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (performance.now() - started > 300_000) throw new Error("bench did not finish within 5 minutes");
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(pid) - cpuBefore;
  const metricCpu = ((await metricCpuSeconds(healthPort)) - metricBefore) * 1000;
  const all = events.map((m) => JSON.parse(m.value?.toString("utf8") ?? "{}") as DeliveryEvent);
  const outcomes = all.filter((e) => e.status !== "PENDING");
  const delayed = all.filter((e) => e.status === "PENDING").map((e) => e.reasonCode);
  const latencies = outcomes.flatMap((e) =>
    e.status === "SENT" && e.latencyMs !== undefined ? [e.latencyMs] : [],
  );
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 100) /
    100;
  console.log(
    JSON.stringify({
      channel: "PUSH (Web Push, worker process)",
      commands: n,
      devices: targets.length,
      concurrency,
      seconds: Math.round(seconds * 100) / 100,
      sendsPerSecond: Math.round(n / seconds),
      workerCpuMsPerSend: Math.round((cpu / n) * 1000) / 1000,
      workerCpuMsPerSendFromMetric: Math.round((metricCpu / n) * 1000) / 1000,
      workerCpuUtilisation: Math.round((cpu / (seconds * 1000)) * 100) / 100,
      sendLatencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) },
      sent: outcomes.filter((e) => e.status === "SENT").length,
      notSent: outcomes.filter((e) => e.status !== "SENT").length,
      retried: delayed.length,
      retryReasons: [...new Set(delayed)],
      receivedByStandIn: service.accepted().length,
      refusedByStandIn: service.rejected.length,
    }),
  );
} finally {
  worker.kill("SIGTERM");
  await new Promise((resolve) =>
    worker.exitCode !== null ? resolve(undefined) : worker.once("exit", resolve),
  );
  await collector.stop(1_000);
  await producer.close();
  await admin.deleteTopics(allTopics).catch(() => {});
  await admin.close();
  await service.close();
  await db.close();
  await adminDb.sql`drop schema ${adminDb.sql(schemaName)} cascade`;
  await adminDb.close();
}
