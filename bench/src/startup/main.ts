// What a compiled app costs to start and to keep, next to the same bundle with
// --enable-source-maps and the same app run through tsx (as every app ran before ADR 0004).
// A script, not a test; it leaves bin/bench's resources alone:
//   pnpm exec tsx bench/src/startup/main.ts [--rounds 3] [--idle 20]
// 1. each app alone, started `rounds` times per runtime (the order rotates per round): spawn →
//    /readyz answers 200, and the CPU the process had used by then;
// 2. all six together per runtime, idle for `idle` s after readiness: VmRSS of each.
// Writes bench/results/startup.json.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  APP_NAMES,
  type AppName,
  type AppSpec,
  appCommand,
  createTopics,
  dropDatabase,
  ensureAppsBuilt,
  freePort,
  platformApps,
  prepareDatabase,
  REPO_ROOT,
  startBroker,
  startPlatform,
} from "@fluxnotify/platform";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";
import { ticksOf, ticksPerSecond } from "../bench/cpu";
import { memoryOf } from "../bench/samplers";
import { numberArg, parseArgs } from "../harness/args";

/** Production needs a VAPID pair of its own (query-api publishes the key, push-worker signs). */
function vapidEnv() {
  const { publicKey, privateKey } = generateVapidKeys();
  return {
    VAPID_PUBLIC_KEY: publicKey,
    VAPID_PRIVATE_KEY: privateKey,
    VAPID_SUBJECT: "mailto:ops@example.com",
  };
}

const args = parseArgs(process.argv.slice(2), { rounds: "string", idle: "string" });
const rounds = numberArg(args.rounds, 3, "rounds");
const idleSeconds = numberArg(args.idle, 20, "idle");
const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fluxnotify_startup";
const REDIS_URL = "redis://127.0.0.1:6379/9";

const COMMANDS = {
  compiled: (name: AppName) => appCommand(name),
  "compiled+maps": (name: AppName) => appCommand(name, { sourceMaps: true }),
  // The command every app ran before it was bundled: compared here, run nowhere else.
  tsx: (name: AppName) => [process.execPath, "--import", "tsx", `apps/${name}/src/index.ts`],
};
type Runtime = keyof typeof COMMANDS;
const RUNTIMES = Object.keys(COMMANDS) as Runtime[];
const perRuntime = <T>(make: (runtime: Runtime) => T) =>
  Object.fromEntries(RUNTIMES.map((runtime) => [runtime, make(runtime)])) as Record<Runtime, T>;

async function untilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => {
        await response.body?.cancel();
        return response.ok;
      },
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

await ensureAppsBuilt();
const [brokerPort, controllerPort] = await Promise.all([freePort(), freePort()]);
const broker = await startBroker({
  port: brokerPort,
  controllerPort,
  reset: true,
  stopOnExit: true,
});
try {
  await createTopics(broker.bootstrap);
  await prepareDatabase(DATABASE_URL, { reset: true });
  const secret = randomBytes(32).toString("hex");
  const ports = Object.fromEntries(
    await Promise.all(APP_NAMES.map(async (name) => [name, await freePort()])),
  );
  const vapid = vapidEnv(); // one pair for all: query-api publishes what push-worker signs with
  const apps = platformApps({
    kafkaBrokers: broker.bootstrap,
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    smtp: { host: "127.0.0.1", port: 9 },
    tenantSlackWebhooks: {},
    slackAllowedHosts: ["hooks.slack.com"],
    ports,
    logLevel: "warn",
    env: Object.fromEntries(
      APP_NAMES.map((name) => [name, { NODE_ENV: "production", AUTH_JWT_SECRET: secret, ...vapid }]),
    ),
  });
  const specFor = (app: AppSpec, runtime: Runtime): AppSpec => ({
    ...app,
    command: COMMANDS[runtime](app.name),
  });

  const startup = perRuntime<Record<string, { ms: number[]; cpuMs: number[] }>>(() => ({}));
  for (let round = 1; round <= rounds; round++) {
    // Each round starts with another runtime, so none is always first after a quiet spell.
    const shift = (round - 1) % RUNTIMES.length;
    for (const runtime of [...RUNTIMES.slice(shift), ...RUNTIMES.slice(0, shift)]) {
      for (const app of apps) {
        const platform = await startPlatform([specFor(app, runtime)]);
        const started = Date.now();
        await untilReady(app.readyUrl, 90_000);
        const ms = Date.now() - started;
        const ticks = ticksOf(platform.pid(app.name) as number) ?? Number.NaN;
        await platform.stop();
        const entry = startup[runtime][app.name] ?? { ms: [], cpuMs: [] };
        startup[runtime][app.name] = entry;
        entry.ms.push(ms);
        entry.cpuMs.push(Math.round((ticks / ticksPerSecond) * 1000));
        console.error(`round ${round} ${runtime.padEnd(13)} ${app.name.padEnd(14)} ready in ${ms} ms`);
      }
    }
  }

  const idleRss = perRuntime<Record<string, number>>(() => ({}));
  for (const runtime of RUNTIMES) {
    const platform = await startPlatform(apps.map((app) => specFor(app, runtime)));
    try {
      await platform.waitReady(undefined, 120_000);
      console.error(`${runtime}: all six ready; idle for ${idleSeconds} s`);
      await sleep(idleSeconds * 1000);
      for (const app of apps)
        idleRss[runtime][app.name] = memoryOf(platform.pid(app.name))?.rssMiB ?? Number.NaN;
    } finally {
      await platform.stop();
    }
  }

  const rows = APP_NAMES.map((name) => {
    const of = (runtime: Runtime) => startup[runtime][name] ?? { ms: [], cpuMs: [] };
    return {
      app: name,
      readyMs: perRuntime((runtime) => median(of(runtime).ms)),
      cpuToReadyMs: perRuntime((runtime) => median(of(runtime).cpuMs)),
      idleRssMiB: perRuntime((runtime) => idleRss[runtime][name] ?? Number.NaN),
    };
  });
  const cells = (values: Record<Runtime, number>) => RUNTIMES.map((runtime) => values[runtime]).join(" / ");
  console.log(`median of ${rounds} starts of each app alone; RSS after ${idleSeconds} s idle, all six up`);
  console.log(`each cell: ${RUNTIMES.join(" / ")}`);
  console.log(
    `${"app".padEnd(15)} ${"ready (ms)".padEnd(20)} ${"CPU to ready (ms)".padEnd(20)} idle RSS (MiB)`,
  );
  for (const row of rows)
    console.log(
      `${row.app.padEnd(15)} ${cells(row.readyMs).padEnd(20)} ${cells(row.cpuToReadyMs).padEnd(20)} ${cells(row.idleRssMiB)}`,
    );
  const path = join(REPO_ROOT, "bench/results/startup.json");
  writeFileSync(
    path,
    `${JSON.stringify({ at: new Date().toISOString(), rounds, idleSeconds, rows, startup, idleRss }, null, 2)}\n`,
  );
  console.log(`written: ${path}`);
} finally {
  await broker.stop();
  rmSync(broker.dataDir, { recursive: true, force: true });
  await dropDatabase(DATABASE_URL).catch(() => {});
}
