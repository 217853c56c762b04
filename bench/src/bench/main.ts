// bin/bench: the platform as deployed under load, plus the raw Kafka baseline.
// Usage: bin/bench [--events 100000] [--profile] [--no-raw] [--warmup 5000]
//        bin/bench --rate 500 --duration 60 [--profile]
//        bin/bench --idle 60                 (no traffic: what the platform costs doing nothing)
//        bin/bench --scale email-worker=2,ingest-worker=2   (processes per app, same consumer groups)
//        bin/bench --env ingest-worker.INGEST_BATCH_LINGER_MS=50,inapp-worker.CONCURRENCY=32   (app settings)
// Writes bench/results/throughput.json or rate-<rate>.json (CPU profiles: bench/results/profiles).
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP_NAMES, type AppName, REPO_ROOT } from "@fluxnotify/platform";
import { numberArg, parseArgs } from "../harness/args";
import { stopHarnessOnExit } from "../harness/lifecycle";
import { machineInfo } from "../harness/machine";
import { BENCH_RESOURCES, type Harness, startHarness } from "../harness/platform";
import { buildPopulation, planEvents, seedPopulation } from "../workload/index";
import { stageCosts } from "./costs";
import { jitLabel } from "./cpu";
import { measureIdle } from "./idle";
import { latestProfile, type ProfileSummary, summariseProfile } from "./profile";
import { rawBaseline } from "./raw";
import { type BenchReport, summaryLines, timelineLines, writeBenchReport } from "./report";
import { runPipeline } from "./run";

const args = parseArgs(process.argv.slice(2), {
  events: "string",
  rate: "string",
  duration: "string",
  profile: "boolean",
  "no-raw": "boolean",
  warmup: "string",
  idle: "string",
  scale: "string",
  env: "string",
});
const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const rate = args.rate === undefined ? undefined : numberArg(args.rate, 500, "rate");
const mode = rate === undefined ? "throughput" : "rate";
const events =
  rate === undefined
    ? numberArg(args.events, 100_000, "events")
    : Math.round(rate * numberArg(args.duration, 60, "duration"));
// What is measured is the steady state, as in production, where the broker's JVM compiled its
// hot paths long ago (see warmUp). --warmup N: events per round, produced at once (a rate
// run's rounds are 15 s at its rate); --warmup 0: no rounds.
const warmupEvents = numberArg(args.warmup, 5_000, "warmup", { zero: true });
const command = `bin/bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const PROFILED = APP_NAMES;
const profileDir = join(REPO_ROOT, "bench/results/profiles", mode);

const scale = parseScale(typeof args.scale === "string" ? args.scale : undefined);
const settings = parseSettings(typeof args.env === "string" ? args.env : undefined);

let harness: Harness | undefined;
stopHarnessOnExit(() => harness, log);

if (args.idle !== undefined) {
  const seconds = numberArg(args.idle, 60, "idle");
  harness = await startHarness({ resources: BENCH_RESOURCES, inAppTenantPattern: "t[0-9]-b*", log });
  try {
    const idle = await measureIdle(harness, seconds, log);
    const path = join(REPO_ROOT, "bench/results/idle.json");
    const machine = await machineInfo(harness.db.sql);
    writeFileSync(
      path,
      `${JSON.stringify({ mode: "idle", generatedAt: new Date().toISOString(), command, machine, idle }, null, 2)}\n`,
    );
    console.log(
      `\nidle ${idle.seconds} s: apps together ${idle.appsPercent}% of one core, broker ${idle.brokerPercent}%`,
    );
    for (const [name, percent] of Object.entries(idle.percentOfCore))
      console.log(`  ${name.padEnd(28)} ${percent}%`);
    console.log(`written: ${path}`);
  } finally {
    await harness.stop();
  }
  process.exit(0);
}

if (args.profile) {
  rmSync(profileDir, { recursive: true, force: true });
  for (const app of PROFILED) mkdirSync(join(profileDir, app), { recursive: true });
}
harness = await startHarness({
  resources: BENCH_RESOURCES,
  inAppTenantPattern: "t[0-9]-b*",
  scale,
  log,
  appEnv: Object.fromEntries(
    APP_NAMES.map((app) => [
      app,
      {
        ...settings[app],
        // V8's sampling profiler, written when the app exits gracefully (SIGTERM at the end).
        ...(args.profile && PROFILED.includes(app)
          ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(profileDir, app)}` }
          : {}),
      },
    ]),
  ),
});
/** A run's tenants and users, seeded; ids scoped by a fresh run id (`b…`: the in-app recorder's pattern). */
async function seededPopulation(running: Harness) {
  const runId = `b${randomBytes(3).toString("hex")}`;
  const population = buildPopulation({
    runId,
    usersPerTenant: 1_000,
    webhookUrl: (path) => running.webhook.url(path),
    newBrowser: () => running.push.createBrowserSubscription(),
  });
  await seedPopulation(running.db.db, population);
  return { runId, population };
}

const JIT_LABEL = jitLabel("kafka broker");
/** The broker's JIT compiler below this share of a core over a round: warm. */
const WARM_JIT_CORES = 0.05;
const MAX_WARMUP_ROUNDS = 8;

/**
 * Warm-up rounds: the same workload on tenants of their own, at the measured run's rate (or
 * at once), until the broker's JIT compiler threads go quiet. A fresh broker kept its C2
 * compiler at ~0.3 cores for its first ~40 s under load, whatever the load (after that, 2%):
 * half of the broker's CPU in a 20,000-event run. Pushing 60,000 records through a scratch
 * topic first did not warm it; the pipeline's request mix is its own. Only each round's
 * throughput, compiler share and ledger are shown.
 */
async function warmUp(running: Harness, count: number, offeredRate: number | undefined): Promise<void> {
  for (let round = 1; round <= MAX_WARMUP_ROUNDS; round++) {
    const { runId, population } = await seededPopulation(running);
    log(
      `warm-up round ${round}: ${count} events${offeredRate ? ` at ${offeredRate}/s` : ""}, run ${runId} (not measured)`,
    );
    const warm = await runPipeline(running, population, planEvents(population, count), {
      ...(offeredRate ? { rate: offeredRate } : {}),
      log,
    });
    const jit = warm.cpu.perProcess[JIT_LABEL] ?? 0;
    log(
      `warm-up round ${round}: ${warm.notificationsPerSecond} notifications sent/s, broker JIT ${jit} cores, lost ${warm.ledger.lost}, duplicates ${warm.ledger.duplicates.total}`,
    );
    if (jit < WARM_JIT_CORES) return;
  }
  log(`warm-up: the broker's JIT still busy after ${MAX_WARMUP_ROUNDS} rounds; measuring anyway`);
}

try {
  if (warmupEvents > 0) await warmUp(harness, rate ? Math.round(rate * 15) : warmupEvents, rate);
  const { runId, population } = await seededPopulation(harness);
  const planned = planEvents(population, events);
  log(`${mode}: ${planned.length} events${rate ? ` at ${rate}/s` : ""}, run ${runId}`);
  const pipeline = await runPipeline(harness, population, planned, { ...(rate ? { rate } : {}), log });
  const machine = await machineInfo(harness.db.sql);
  log("stopping the apps (profiles are written on exit)");
  await harness.platform.stop();
  const profiles: Record<string, ProfileSummary> = {};
  if (args.profile) {
    for (const app of PROFILED) {
      const file = latestProfile(join(profileDir, app));
      if (file) profiles[app] = summariseProfile(file);
    }
  }
  const raw =
    mode === "throughput" && !args["no-raw"]
      ? await rawBaseline(harness.connection, planned, runId, log)
      : undefined;
  const report: BenchReport = {
    mode,
    generatedAt: new Date().toISOString(),
    command,
    machine,
    pipeline,
    ...(raw ? { raw, pipelineToRaw: pipeline.eventsPerSecond / raw.messagesPerSecond } : {}),
    profiles,
    stageCosts: stageCosts(pipeline),
  };
  // A scaled run is its own result: it answers "how far one machine goes with more processes".
  const scaled = Object.keys(scale).length > 0 ? "-scaled" : "";
  const file = rate === undefined ? `throughput${scaled}.json` : `rate-${rate}${scaled}.json`;
  const path = join(REPO_ROOT, "bench/results", file);
  writeBenchReport(report, path);
  console.log(
    [
      "",
      ...summaryLines(report),
      "",
      "consumer lag over time:",
      ...timelineLines(pipeline),
      "",
      `written: ${path}`,
    ].join("\n"),
  );
  process.exitCode = pipeline.complete && pipeline.ledger.lost === 0 ? 0 : 1;
} finally {
  await harness.stop();
}

/** `app.NAME=value,…`: settings the apps' env files would set, for measuring another value. */
function parseSettings(text: string | undefined): Partial<Record<AppName, Record<string, string>>> {
  const settings: Partial<Record<AppName, Record<string, string>>> = {};
  for (const part of text ? text.split(",") : []) {
    const match = /^([a-z-]+)\.([A-Z][A-Z0-9_]*)=(.*)$/.exec(part.trim());
    if (!match || !APP_NAMES.includes(match[1] as AppName)) {
      console.error(`--env: "${part}" is not app.NAME=value (apps: ${APP_NAMES.join(", ")})`);
      process.exit(2);
    }
    const [, app, name, value] = match as unknown as [string, AppName, string, string];
    settings[app] = { ...settings[app], [name]: value };
  }
  return settings;
}

/** `email-worker=2,ingest-worker=2` → processes per app. */
function parseScale(text: string | undefined): Partial<Record<AppName, number>> {
  if (!text) return {};
  const scale: Partial<Record<AppName, number>> = {};
  for (const part of text.split(",")) {
    const [name, count] = part.split("=").map((piece) => piece.trim());
    if (!APP_NAMES.includes(name as AppName) || !/^[1-6]$/.test(count ?? "")) {
      console.error(
        `--scale: "${part}" is not app=N (apps: ${APP_NAMES.join(", ")}; N 1-6, at most the partitions)`,
      );
      process.exit(2);
    }
    scale[name as AppName] = Number(count);
  }
  return scale;
}
