import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Sql } from "@fluxnotify/db";
import { APP_NAMES } from "@fluxnotify/platform";
import type { KafkaProducer } from "@fluxnotify/shared/kafka";
import { deliveryTimes, type Percentiles } from "../bench/latency";
import { checkHarnessLedger } from "../harness/ledger";
import type { Harness } from "../harness/platform";
import { reviveApps } from "../harness/platform";
import { progressBar } from "../harness/progress";
import { waitForQuiescence } from "../harness/quiesce";
import { produceStream } from "../harness/stream";
import { expectedForAll, type LedgerReport } from "../ledger/index";
import { buildPopulation, planEvents, seedPopulation } from "../workload/index";
import type { FaultWindow, RecoverySignal, Scenario } from "./scenarios";

export interface ScenarioSettings {
  events: number;
  /** Offered events/s: the fault lands while the stream is flowing. */
  rate: number;
  /** Where in the stream the fault is injected (0..1). */
  injectAt: number;
  /** Hard bound on the whole scenario: a timeout is reported as a failure. */
  timeoutMs: number;
  /** Bound on waiting for quiescence after the stream, and on a standstill during it. */
  quiesceTimeoutMs: number;
  stallMs: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  runId: string;
  at: string;
  passed: boolean;
  failures: string[];
  /** The stream this row ran with (the report's settings are the single-broker set's). */
  stream?: { events: number; rate: number };
  ledger?: LedgerReport;
  /** Fault start → the faulty part back (process ready, service answering). */
  faultWindowMs?: number;
  /** Fault start → the affected stage caught up with what reached it before the fault ended. */
  recoveryMs?: number | null;
  /** Last event produced → every expected notification terminal in the read model. */
  drainMs?: number;
  quiescence?: string;
  /** Event produced → sent, for the scenario's notifications sent in order (ms). */
  latency?: Percentiles;
  /** What the scenario's own checks found (the poison scenario's report). */
  detail?: unknown;
  /** Apps that exited on their own during the scenario (restarted by the harness). */
  unexpectedExits: string[];
  error?: string;
}

/**
 * Fault start → the moment the affected stage had caught up with everything that reached it
 * before the fault ended (see RecoverySignal): its events ingested, its notifications
 * settled, or those statuses visible in the read model. Null when nothing qualified.
 */
async function recoveryMs(
  sql: Sql,
  tenantIds: string[],
  signal: RecoverySignal,
  window: FaultWindow,
  eventsBeforeEnd: string[],
): Promise<number | null> {
  // As text: this client's type setup serialises no Date parameters.
  const end = new Date(window.endedAt).toISOString();
  const epoch = (column: string) => sql`(extract(epoch from max(${sql(column)})) * 1000)::float8`;
  const ours = sql`tenant_id = any(${tenantIds})`;
  let rows: { at: string | null }[];
  if (signal.kind === "created") {
    rows = await sql`select ${epoch("created_at")} as at from notification_log
      where ${ours} and event_id = any(${eventsBeforeEnd})`;
  } else if (signal.kind === "sent") {
    rows = await sql`select ${epoch("status_at")} as at from notification_log
      where ${ours} and created_at <= ${end}::timestamptz and status <> 'PENDING'
      ${signal.channel ? sql`and channel = ${signal.channel}` : sql``}`;
  } else {
    rows = await sql`select ${epoch("updated_at")} as at from notification_log
      where ${ours} and status_at <= ${end}::timestamptz and status <> 'PENDING'`;
  }
  const at = rows[0]?.at;
  return at ? Math.round(Number(at) - window.startedAt) : null;
}

function judge(scenario: Scenario, ledger: LedgerReport, complete: boolean): string[] {
  const failures: string[] = [];
  if (!complete) failures.push("did not quiesce in time");
  if (ledger.lost > 0) failures.push(`${ledger.lost} notifications lost`);
  if (ledger.mismatched > 0) failures.push(`${ledger.mismatched} ended in an unexpected status`);
  if (scenario.zeroDuplicates && ledger.duplicates.total > 0)
    failures.push(`${ledger.duplicates.total} duplicate sends after a graceful stop`);
  return failures;
}

/**
 * One scenario: fresh tenants and users (the run id scopes them), a paced stream with the
 * fault injected part-way, then quiescence and the ledger. Bounded by `timeoutMs` overall.
 */
export async function runScenario(
  harness: Harness,
  producer: KafkaProducer,
  scenario: Scenario,
  settings: ScenarioSettings,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const runId = `f${randomBytes(3).toString("hex")}`;
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    runId,
    at: new Date().toISOString(),
    passed: false,
    failures: [],
    stream: { events: settings.events, rate: settings.rate },
    unexpectedExits: [],
  };
  const crashesBefore = harness.crashes.length;
  const timer = new AbortController();
  const deadline = sleep(settings.timeoutMs, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`scenario exceeded ${settings.timeoutMs / 1000} s`);
  });
  deadline.catch(() => {}); // settled by the race or by the abort below
  try {
    await Promise.race([execute(harness, producer, scenario, settings, log, result), deadline]);
  } catch (error) {
    result.error = (error as Error).message;
    result.failures.push(result.error);
    result.passed = false;
  } finally {
    timer.abort();
  }
  // Whatever happened, the next scenario starts with every app up and the SMTP server open.
  await harness.smtp.reopen().catch(() => {});
  await reviveApps(harness.platform, APP_NAMES).catch((error: unknown) => log(`revive failed: ${error}`));
  result.unexpectedExits = harness.crashes
    .slice(crashesBefore)
    .map((c) => `${c.app} (${c.signal ?? `exit code ${c.code}`})`);
  return result;
}

async function execute(
  harness: Harness,
  producer: KafkaProducer,
  scenario: Scenario,
  settings: ScenarioSettings,
  log: (line: string) => void,
  result: ScenarioResult,
) {
  const population = buildPopulation({
    runId: result.runId,
    webhookUrl: (path) => harness.webhook.url(path),
    newBrowser: () => harness.push.createBrowserSubscription(),
  });
  const tenantIds = population.tenants.map((t) => t.id);
  await seedPopulation(harness.db.db, population);
  const events = planEvents(population, settings.events);
  const expected = expectedForAll(events, population);
  log(
    `${scenario.id}: ${events.length} events at ${settings.rate}/s, ${expected.length} expected notifications`,
  );

  const bar = progressBar(scenario.id.padEnd(18), events.length);
  let fault: Promise<FaultWindow> | undefined;
  const injectAfter = Math.floor(events.length * settings.injectAt);
  const stream = await produceStream({
    producer,
    events,
    rate: settings.rate,
    log,
    onProgress: (produced) => {
      bar.update(produced);
      if (fault || produced < injectAfter) return;
      fault = scenario.inject(harness, log);
      fault.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    },
  });
  bar.done(events.length);
  const window = await (fault ?? scenario.inject(harness, log));
  result.faultWindowMs = window.endedAt - window.startedAt;

  const quiet = await waitForQuiescence({
    sql: harness.db.sql,
    tenantIds,
    target: expected.length,
    timeoutMs: settings.quiesceTimeoutMs,
    stallMs: settings.stallMs,
  });
  result.quiescence = `${quiet.reason} (${quiet.terminal}/${expected.length} terminal)`;
  result.drainMs = Date.now() - stream.lastAt;
  // Late redeliveries (a rebalance after the session timeout) would show up now.
  await sleep(5_000);
  const ledger = await checkHarnessLedger(harness, { population, events, expected });
  result.ledger = ledger;
  const beforeEnd = [...stream.producedAt].filter(([, at]) => at <= window.endedAt).map(([id]) => id);
  result.recoveryMs = await recoveryMs(harness.db.sql, tenantIds, scenario.recovery, window, beforeEnd);
  const outOfOrder = new Set(events.filter((event) => event.outOfOrder).map((event) => event.id));
  result.latency = (
    await deliveryTimes(harness.db.sql, tenantIds, stream.producedAt, outOfOrder)
  ).toSentInOrder;
  result.failures.push(...judge(scenario, ledger, quiet.complete));
  if (scenario.verify) {
    const verified = await scenario.verify(harness);
    result.detail = verified.detail;
    result.failures.push(...verified.failures);
  }
  result.passed = result.failures.length === 0;
  if (ledger.samples.lost.length > 0) log(`lost (sample): ${ledger.samples.lost.join("; ")}`);
  if (ledger.samples.mismatched.length > 0)
    log(`mismatched (sample): ${ledger.samples.mismatched.join("; ")}`);
}

/**
 * A scenario whose latency is bounded relative to the baseline's (the poison scenario) fails
 * when its p99 exceeds that bound; the baseline comes from this run or the previous report.
 */
export function judgeAgainstBaseline(
  scenario: Scenario,
  result: ScenarioResult,
  baseline: ScenarioResult | undefined,
): void {
  const factor = scenario.maxP99VersusBaseline;
  if (factor === undefined || !result.latency) return;
  const reference = baseline?.latency?.p99;
  if (reference === undefined) {
    result.failures.push("no baseline latency to compare with: run the baseline scenario too");
  } else if (result.latency.p99 > factor * reference) {
    result.failures.push(`p99 ${result.latency.p99} ms is over ${factor}× the baseline's ${reference} ms`);
  }
  result.passed = result.failures.length === 0;
}
