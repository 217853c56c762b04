import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createDbClient, type DbClient } from "@fluxnotify/db";
import {
  APP_NAMES,
  type AppName,
  type AppSpec,
  type BrokerHandle,
  type ClusterHandle,
  createTopics,
  ensureAppsBuilt,
  flushRedisDb,
  type PlatformConfig,
  type PubSubRecorder,
  platformApps,
  portsFrom,
  prepareDatabase,
  REPO_ROOT,
  type RunningPlatform,
  recordInApp,
  type SmtpSink,
  startBroker,
  startCluster,
  startPlatform,
  startSmtpSink,
  startWebhookSink,
  type WebhookSink,
} from "@fluxnotify/platform";
import type { KafkaConnection } from "@fluxnotify/shared/kafka";
import { startWebPushService, type WebPushService } from "@fluxnotify/shared/testing/push";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";
import { isBouncingAddress } from "../workload/index";

/** The loopback resources one harness owns (platform-api.md reserves them per harness). */
export interface HarnessResources {
  name: string;
  /** Node 1's ports; a three-node cluster uses the two following ports of each as well. */
  brokerPort: number;
  controllerPort: number;
  /** 3: a KRaft cluster with every topic replicated 3 times (min ISR 2), as production runs. */
  kafkaNodes?: 1 | 3;
  database: string;
  redisDb: number;
  appPortBase: number;
  smtpPort: number;
  webhookPort: number;
  pushPort: number;
}

export const BENCH_RESOURCES: HarnessResources = {
  name: "bench",
  brokerPort: 9292,
  controllerPort: 9293,
  database: "fluxnotify_bench",
  redisDb: 6,
  appPortBase: 29101,
  smtpPort: 29025,
  webhookPort: 29010,
  pushPort: 29030,
};

export const FAULTS_RESOURCES: HarnessResources = {
  name: "faults",
  brokerPort: 9392,
  controllerPort: 9393,
  database: "fluxnotify_faults",
  redisDb: 7,
  appPortBase: 39101,
  smtpPort: 39025,
  webhookPort: 39010,
  pushPort: 39030,
};

/** bin/faults --cluster: brokers 9592-9594, controllers 9595-9597; otherwise as FAULTS_RESOURCES. */
export const FAULTS_CLUSTER_RESOURCES: HarnessResources = {
  ...FAULTS_RESOURCES,
  name: "faults-cluster",
  brokerPort: 9592,
  controllerPort: 9595,
  kafkaNodes: 3,
};

/** A second (third, …) process of an app, in the same consumer groups as the first. */
export interface ExtraInstance {
  name: string;
  app: AppName;
  port: number;
}

export interface Harness {
  resources: HarnessResources;
  config: PlatformConfig;
  apps: AppSpec[];
  /** Processes beyond one per app (bin/bench --scale), started and stopped with the rest. */
  extras: ExtraInstance[];
  /** Every process of the platform with its pid, the extra instances included. */
  pids(): Record<string, number | undefined>;
  connection: KafkaConnection;
  broker: BrokerHandle;
  /** The same brokers with per-node handles, when the harness runs a cluster. */
  cluster?: ClusterHandle;
  platform: RunningPlatform;
  smtp: SmtpSink;
  webhook: WebhookSink;
  /** The Web Push service stand-in: verifies VAPID, decrypts, records (restartable for faults). */
  push: WebPushService;
  inApp: PubSubRecorder;
  db: DbClient;
  logDir: string;
  /** Apps that exited without being asked to; each was restarted, as compose's restart policy would. */
  crashes: Crash[];
  stop(): Promise<void>;
}

export interface Crash {
  app: AppName;
  code: number | null;
  signal: string | null;
  at: number;
}

export interface HarnessOptions {
  resources: HarnessResources;
  /** Redis Pub/Sub is shared by every database: record only this harness's tenants (a glob). */
  inAppTenantPattern: string;
  /** Per-app variables (e.g. NODE_OPTIONS for profiling). */
  appEnv?: PlatformConfig["env"];
  /** Processes per app (default 1): more join the same consumer groups, as a scaled deployment. */
  scale?: Partial<Record<AppName, number>>;
  log?: (line: string) => void;
}

/**
 * Everything the platform needs, private to this harness: a fresh broker, a fresh
 * database, an empty Redis database, recording SMTP / webhook / Pub/Sub stand-ins, and
 * the six apps as separate processes (the compiled bundles bin/dev runs), ready to serve.
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const r = options.resources;
  const log = options.log ?? ((line: string) => console.error(line));
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${r.database}`;
  const redisUrl = `redis://127.0.0.1:6379/${r.redisDb}`;
  const logDir = join(REPO_ROOT, "bench", "results", "logs", r.name);
  const stack: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of stack.reverse()) await close().catch((error: unknown) => log(`cleanup: ${error}`));
  };
  try {
    // What is measured is what ships: the compiled bundles, rebuilt first if a source changed.
    await ensureAppsBuilt({ log });
    const cluster =
      r.kafkaNodes === 3
        ? await startCluster({ port: r.brokerPort, controllerPort: r.controllerPort, reset: true })
        : undefined;
    if (cluster) log(`started a private 3-node Kafka cluster on ${cluster.bootstrap} (fresh data)`);
    else log(`starting a private Kafka broker on 127.0.0.1:${r.brokerPort} (fresh data)`);
    const broker =
      cluster ?? (await startBroker({ port: r.brokerPort, controllerPort: r.controllerPort, reset: true }));
    stack.push(() => broker.stop());
    await createTopics(broker.bootstrap, { replicationFactor: cluster ? 3 : 1 });
    log(`database ${r.database} (recreated), redis db ${r.redisDb} (flushed)`);
    await prepareDatabase(databaseUrl, { reset: true });
    await flushRedisDb(redisUrl);
    const smtp = await startSmtpSink({ port: r.smtpPort, parse: false, reject: isBouncingAddress });
    stack.push(() => smtp.stop());
    const webhook = await startWebhookSink({ port: r.webhookPort });
    stack.push(() => webhook.stop());
    // The apps run as deployed (production): a VAPID pair of this run's, checked by the stand-in.
    const vapid = generateVapidKeys();
    const push = await startWebPushService({ port: r.pushPort, vapidPublicKey: vapid.publicKey });
    stack.push(() => push.close());
    const inApp = await recordInApp(redisUrl, options.inAppTenantPattern);
    stack.push(() => inApp.stop());
    const db = createDbClient(databaseUrl, { max: 4, applicationName: `${r.name}-harness` });
    stack.push(() => db.close());
    const config: PlatformConfig = {
      kafkaBrokers: broker.bootstrap,
      databaseUrl,
      redisUrl,
      smtp: { host: "127.0.0.1", port: smtp.port },
      tenantSlackWebhooks: {},
      slackAllowedHosts: [`127.0.0.1:${webhook.port}`],
      push: { allowedHosts: [`127.0.0.1:${r.pushPort}`] },
      ports: portsFrom(r.appPortBase),
      logLevel: "warn",
      env: deployedEnv(vapid, options.appEnv),
    };
    log(`starting the apps (logs: ${logDir})`);
    const apps = platformApps(config);
    const crashes: Crash[] = [];
    let stopping = false;
    let running: RunningPlatform | undefined;
    const platform = await startPlatform(apps, {
      logDir,
      onExit: (app, exit, expected) => {
        if (expected || stopping) return;
        crashes.push({ app, ...exit, at: Date.now() });
        log(`${app} exited unexpectedly (${exit.signal ?? exit.code}); restarting it in 1 s`);
        setTimeout(() => {
          if (!stopping && running?.pid(app) === undefined) running?.start(app).catch(() => {});
        }, 1_000);
      },
    });
    running = platform;
    stack.push(() => platform.stop());
    const extras = extraInstances(apps, options.scale ?? {}, r.appPortBase + 20);
    const extraPlatform = await startPlatform<string>(
      extras.map((extra) => {
        const spec = apps.find((app) => app.name === extra.app) as AppSpec;
        // PORT for the APIs, HEALTH_PORT for the workers: each takes the one it knows.
        const env = { ...spec.env, PORT: String(extra.port), HEALTH_PORT: String(extra.port) };
        return {
          name: extra.name,
          command: spec.command,
          env,
          readyUrl: `http://127.0.0.1:${extra.port}/readyz`,
        };
      }),
      { logDir },
    );
    stack.push(() => extraPlatform.stop());
    if (extras.length > 0) {
      log(`extra processes: ${extras.map((extra) => extra.name).join(", ")}`);
      await extraPlatform.waitReady(undefined, 120_000);
    }
    // Runs first (the stack unwinds in reverse): no crash restarts while everything stops.
    stack.push(async () => {
      stopping = true;
    });
    await waitUntilReady(platform, 120_000, log);
    const connection = { brokers: broker.bootstrap.split(","), clientId: `${r.name}-harness` };
    return {
      resources: r,
      config,
      apps,
      extras,
      pids: () => ({
        ...Object.fromEntries(apps.map((app) => [app.name, platform.pid(app.name)])),
        ...Object.fromEntries(extras.map((extra) => [extra.name, extraPlatform.pid(extra.name)])),
      }),
      connection,
      broker,
      ...(cluster ? { cluster } : {}),
      platform,
      smtp,
      webhook,
      push,
      inApp,
      db,
      logDir,
      crashes,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `email-worker-2`, … on ports from `base`, for every app scaled beyond one process. */
function extraInstances(
  apps: AppSpec[],
  scale: Partial<Record<AppName, number>>,
  base: number,
): ExtraInstance[] {
  const extras: ExtraInstance[] = [];
  for (const app of apps) {
    for (let instance = 2; instance <= (scale[app.name] ?? 1); instance++) {
      extras.push({ name: `${app.name}-${instance}`, app: app.name, port: base + extras.length });
    }
  }
  return extras;
}

/**
 * What the Docker image sets (NODE_ENV=production: React renders with its production build,
 * the APIs refuse the dev-only JWT secret), plus the caller's per-app additions.
 */
function deployedEnv(
  vapid: { publicKey: string; privateKey: string },
  extra: PlatformConfig["env"] = {},
): NonNullable<PlatformConfig["env"]> {
  const secret = randomBytes(32).toString("hex");
  return Object.fromEntries(
    APP_NAMES.map((name) => [
      name,
      {
        NODE_ENV: "production",
        ...(name === "query-api" || name === "dlq-admin" ? { AUTH_JWT_SECRET: secret } : {}),
        // Production needs its own VAPID pair: query-api publishes the key, push-worker signs.
        ...(name === "query-api" ? { VAPID_PUBLIC_KEY: vapid.publicKey } : {}),
        ...(name === "push-worker"
          ? {
              VAPID_PUBLIC_KEY: vapid.publicKey,
              VAPID_PRIVATE_KEY: vapid.privateKey,
              VAPID_SUBJECT: "mailto:bench@example.com",
            }
          : {}),
        ...extra[name],
      },
    ]),
  );
}

/**
 * Readiness of all apps, tolerating apps that exit while starting (on a fresh broker a
 * consumer may give up before the group coordinator exists): they are started again, as a
 * deployment's restart policy would, until the deadline.
 */
async function waitUntilReady(platform: RunningPlatform, timeoutMs: number, log: (line: string) => void) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await platform.waitReady(undefined, Math.max(1_000, deadline - Date.now()));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      log(`not ready yet (${(error as Error).message.split("\n")[0]}); retrying`);
      await sleep(2_000);
      for (const name of APP_NAMES)
        if (platform.pid(name) === undefined) await platform.start(name).catch(() => {});
    }
  }
}

/** Restarts whatever is not running (after a scenario that failed half-way). */
export async function reviveApps(platform: RunningPlatform, names: readonly AppName[]): Promise<void> {
  for (const name of names) if (platform.pid(name) === undefined) await platform.start(name);
  await platform.waitReady([...names], 120_000);
}
