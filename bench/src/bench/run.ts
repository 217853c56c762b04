import { setTimeout as sleep } from "node:timers/promises";
import { DOMAINS, type Domain } from "@fluxnotify/shared/contracts";
import { createAdmin, createProducer } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { checkHarnessLedger } from "../harness/ledger";
import type { Harness } from "../harness/platform";
import { progressBar } from "../harness/progress";
import { waitForQuiescence } from "../harness/quiesce";
import { produceStream } from "../harness/stream";
import { countTerminal, expectedForAll, type LedgerReport } from "../ledger/index";
import type { PlannedEvent, Population } from "../workload/index";
import { coresUsed, cpuSnapshot } from "./cpu";
import { type DeliveryTimes, deliveryTimes } from "./latency";
import {
  committedSource,
  kafkaRequestsOver,
  memoryOf,
  peakRss,
  type Sample,
  scrapeKafkaRequests,
  scrapeLag,
  sourceBacklog,
} from "./samplers";

export interface PipelineResult {
  events: number;
  expectedNotifications: number;
  /** Offered rate (events/s) or null = as fast as the broker takes them. */
  offeredRate: number | null;
  produceSeconds: number;
  /** First produce → last status visible in notification_log. */
  endToEndSeconds: number;
  eventsPerSecond: number;
  /** SENT notifications per second over the same span (deliveries). */
  notificationsPerSecond: number;
  /** SENT + SKIPPED + FAILED per second (everything the read model settled). */
  settledPerSecond: number;
  complete: boolean;
  quiescence: string;
  latency: DeliveryTimes;
  peakRssMiB: Record<string, number>;
  /** Cores each process used from the first produce to quiescence; `machine` = all processes. */
  cpu: { perProcess: Record<string, number>; machine: number };
  samples: Sample[];
  ledger: LedgerReport;
  /** Kafka requests the apps sent over the run, by API (what the broker's CPU goes to). */
  kafkaRequests: ReturnType<typeof kafkaRequestsOver>;
}

/**
 * Offers the events to the running platform (paced or not), samples progress, lag and
 * memory every 2 s, waits until every expected notification is settled in the read model,
 * then measures throughput and latency and checks the ledger.
 */
export async function runPipeline(
  harness: Harness,
  population: Population,
  events: PlannedEvent[],
  options: { rate?: number; log: (line: string) => void },
): Promise<PipelineResult> {
  const appSpecs = harness.apps;
  const tenantIds = population.tenants.map((t) => t.id);
  const expected = expectedForAll(events, population);
  const logger = createLogger({ name: "bench", level: "warn" });
  const producer = createProducer({
    connection: harness.connection,
    logger,
    registry: createMetricsRegistry("bench"),
  });
  const admin = createAdmin(harness.connection);
  const producedByDomain = Object.fromEntries(DOMAINS.map((d) => [d, 0])) as Record<Domain, number>;
  let producedCount = 0;
  const samples: Sample[] = [];
  const committedAtStart = await committedSource(admin);
  let t0 = Date.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [progress, lag, backlog] = await Promise.all([
        countTerminal(harness.db.sql, tenantIds).catch(() => ({ terminal: -1, sent: -1 })),
        scrapeLag(appSpecs),
        sourceBacklog(admin, producedByDomain, committedAtStart).catch(() => -1),
      ]);
      const rssMiB: Sample["rssMiB"] = {};
      for (const [name, pid] of Object.entries(harness.pids())) {
        const memory = memoryOf(pid);
        if (memory) rssMiB[name] = memory.rssMiB;
      }
      samples.push({
        t: (Date.now() - t0) / 1000,
        produced: producedCount,
        ...progress,
        sourceBacklog: backlog,
        lag,
        rssMiB,
      });
      await sleep(2_000);
    }
  })();

  const processes = (): Record<string, number | undefined> => ({
    ...harness.pids(),
    "kafka broker": harness.broker.pid(),
    "bench process (load, sinks, sampling)": process.pid,
  });
  const bar = progressBar("produce", events.length);
  const requestsBefore = await scrapeKafkaRequests(appSpecs);
  const jvms = () => ({ "kafka broker": harness.broker.pid() });
  const cpuBefore = cpuSnapshot(processes(), jvms());
  t0 = Date.now();
  const stream = await produceStream({
    producer,
    events,
    ...(options.rate ? { rate: options.rate } : {}),
    log: options.log,
    onProgress: (produced) => {
      for (let i = producedCount; i < produced; i++) producedByDomain[(events[i] as PlannedEvent).domain]++;
      producedCount = produced;
      bar.update(produced);
    },
  });
  bar.done(events.length);
  const settle = progressBar("settled", expected.length);
  const quiet = await waitForQuiescence({
    sql: harness.db.sql,
    tenantIds,
    target: expected.length,
    timeoutMs: Math.max(600_000, events.length * 30),
    stallMs: 120_000,
    pollMs: 500,
    onTick: (p) => settle.update(Math.max(0, p.terminal), `sent ${p.sent}`),
  });
  settle.done(quiet.terminal, `sent ${quiet.sent} (${quiet.reason})`);
  const cpu = coresUsed(cpuBefore, cpuSnapshot(processes(), jvms()));
  const requestsAfter = await scrapeKafkaRequests(appSpecs);
  sampling = false;
  await sampler;
  const peakRssMiB = peakRss(harness.pids());
  const outOfOrder = new Set(events.filter((e) => e.outOfOrder).map((e) => e.id));
  const latency = await deliveryTimes(harness.db.sql, tenantIds, stream.producedAt, outOfOrder);
  const ledger = await checkHarnessLedger(harness, { population, events, expected });
  await Promise.all([producer.close(), admin.close()]);
  const endToEndSeconds = (latency.lastVisibleAt - stream.firstAt) / 1000;
  const settled = ledger.sent + ledger.skipped + ledger.deadLettered;
  return {
    events: events.length,
    expectedNotifications: expected.length,
    offeredRate: options.rate ?? null,
    produceSeconds: (stream.lastAt - stream.firstAt) / 1000,
    endToEndSeconds,
    eventsPerSecond: Math.round(events.length / endToEndSeconds),
    notificationsPerSecond: Math.round(ledger.sent / endToEndSeconds),
    settledPerSecond: Math.round(settled / endToEndSeconds),
    complete: quiet.complete,
    quiescence: `${quiet.reason} (${quiet.terminal}/${expected.length})`,
    latency,
    peakRssMiB,
    cpu,
    samples,
    ledger,
    kafkaRequests: kafkaRequestsOver(requestsBefore, requestsAfter, expected.length),
  };
}
