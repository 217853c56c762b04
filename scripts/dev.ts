// Local supervisor for bin/dev: starts the SMTP, Slack and push stand-ins and all the apps with
// prefixed output, waits until each answers /readyz, and on Ctrl-C (or SIGTERM) stops
// them all gracefully (SIGTERM, then SIGKILL after a deadline) so nothing is left behind.
// The apps are started by @fluxnotify/platform, exactly as the e2e suite and benchmarks do:
// compiled (apps/<app>/dist, rebuilt first when a source changed), here with source-mapped
// stack traces. `--watch` runs them from source through `tsx watch` instead, restarting an app
// on every edit (development only).
import { resolve } from "node:path";
import {
  type AppRuntime,
  apiReferenceUrl,
  CONSOLE,
  consoleUrl,
  ensureAppsBuilt,
  type PlatformConfig,
  type ProcessSpec,
  platformApps,
  REPO_ROOT,
  startPlatform,
} from "@fluxnotify/platform";
import { DEFAULT_PUSH_ALLOWED_HOSTS } from "@fluxnotify/shared/env";

const env = process.env;
const runtime: AppRuntime = process.argv.includes("--watch") ? "watch" : "compiled";
const slackPort = 4010;
// The push stand-in: its push service (allow-listed, plain http to loopback) and its UI.
const pushPort = 4020;
const pushUiPort = 4021;
const smtpPort = 1025;
const localSlack = `http://127.0.0.1:${slackPort}/services/local`;

const config: PlatformConfig = {
  kafkaBrokers: env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? 9092}`,
  databaseUrl: env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/fluxnotify",
  redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379/0",
  smtp: { host: "127.0.0.1", port: smtpPort },
  tenantSlackWebhooks: { "tenant-a": localSlack },
  slackAllowedHosts: ["hooks.slack.com", `127.0.0.1:${slackPort}`],
  // Real browsers' push services stay allowed beside the stand-in (the /push/ example page).
  push: { allowedHosts: [...DEFAULT_PUSH_ALLOWED_HOSTS, `127.0.0.1:${pushPort}`] },
  logLevel: env.LOG_LEVEL ?? "info",
};

const standIns: ProcessSpec[] = [
  {
    name: "maildev",
    command: [
      resolve(REPO_ROOT, "node_modules/.bin/maildev"),
      ...["--smtp", String(smtpPort), "--web", "1080", "--ip", "127.0.0.1", "--web-ip", "127.0.0.1"],
    ],
    env: {},
    readyUrl: "http://127.0.0.1:1080/index.html",
  },
  {
    name: "slack-standin",
    command: [process.execPath, "--import", "tsx", "packages/demo/src/slack-standin.ts", String(slackPort)],
    env: {},
    readyUrl: `http://127.0.0.1:${slackPort}/`,
  },
  {
    name: "push-standin",
    command: [
      process.execPath,
      "--import",
      "tsx",
      "packages/demo/src/push-standin.ts",
      String(pushPort),
      String(pushUiPort),
    ],
    env: {},
    readyUrl: `http://127.0.0.1:${pushUiPort}/`,
  },
];
if (runtime === "compiled") await ensureAppsBuilt();
// Sources run as they are, but the console's web app is served built (its dist/public): once
// here, when it changed; `pnpm --filter @fluxnotify/console exec vite web` reloads it live.
else await ensureAppsBuilt({ names: [CONSOLE] });
const specs: ProcessSpec[] = [...standIns, ...platformApps(config, { runtime, sourceMaps: true })];

const colors = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94];
const colorOf = new Map(specs.map((spec, index) => [spec.name, colors[index % colors.length] as number]));
let stopping = false;

const platform = await startPlatform(specs, {
  // The user's shell variables (AUTH_JWT_SECRET, SMTP_URL, ...) still reach the apps, as before.
  baseEnv: env,
  onLine: (name, line) =>
    process.stdout.write(`\x1b[${colorOf.get(name)}m${name.padEnd(14)}\x1b[0m ${line}\n`),
  onExit: (name, exit, expected) => {
    if (expected || stopping) return;
    console.error(`${name} exited (${exit.signal ?? exit.code}); stopping everything`);
    void stopAll(1);
  },
});

async function stopAll(exitCode: number) {
  if (stopping) return;
  stopping = true;
  console.log("stopping all processes…");
  await platform.stop();
  process.exit(exitCode);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

const ready = await Promise.all(
  specs.map(async (spec) => {
    const ok = await platform.waitReady([spec.name], 90_000).then(
      () => true,
      () => false,
    );
    return [spec, ok] as const;
  }),
);
if (!stopping) {
  console.log("\n  service          ready  url");
  for (const [spec, ok] of ready)
    console.log(`  ${spec.name.padEnd(16)} ${ok ? "yes  " : "NO   "}  ${consoleUrl(spec) ?? spec.readyUrl}`);
  console.log("\n  Operations console (development sign-in: a tenant, a user, admin or operator)");
  for (const [spec] of ready) {
    const url = consoleUrl(spec);
    if (url) console.log(`  ${spec.name.padEnd(16)} ${url}`);
  }
  console.log('\n  API reference (Swagger UI; "Authorize" takes a bearer token for "Try it out")');
  for (const [spec] of ready) {
    const docs = apiReferenceUrl(spec);
    if (docs) console.log(`  ${spec.name.padEnd(16)} ${docs}`);
  }
  console.log(
    "\n  mail UI: http://127.0.0.1:1080/index.html   pushes: http://127.0.0.1:4021/   inbox: http://127.0.0.1:8080/inbox/   API: http://127.0.0.1:8080/openapi.json   Ctrl-C stops everything\n",
  );
  console.log("  try it: bin/demo (another terminal) sends an order and two payments to every channel\n");
}
