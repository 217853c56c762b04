import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { AppName } from "@fluxnotify/platform";
import { CHANNEL_DEFINITIONS, CHANNELS, type Channel } from "@fluxnotify/shared/channels";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import type { Harness } from "../harness/platform";
import { checkPoison, type PoisonRecord, type PoisonReport, poisonProducer, poisonRecords } from "./poison";

const run = promisify(execFile);

/** When a fault started and when the faulty part was back (process ready, service up). */
export interface FaultWindow {
  startedAt: number;
  endedAt: number;
}

/**
 * The stage a fault hits, whose catching up marks the recovery: the ingest worker (events
 * turned into notifications), a channel's delivery (any channel when absent), or the
 * read-model projection.
 */
export type RecoverySignal =
  | { kind: "created" }
  | { kind: "sent"; channel?: Channel }
  | { kind: "projected" };

export interface Scenario {
  id: string;
  title: string;
  /** Restarts a machine-wide service: everyone on the machine notices. Opt-in with --only. */
  machineWide?: boolean;
  /** Runs on the three-node cluster harness (bin/faults --cluster), not the single broker. */
  cluster?: boolean;
  /** Graceful: any duplicate send fails the scenario. */
  zeroDuplicates?: boolean;
  recovery: RecoverySignal;
  inject(harness: Harness, log: (line: string) => void): Promise<FaultWindow>;
  /** Checks of its own after the ledger: failures, and detail for the report. */
  verify?(harness: Harness): Promise<{ failures: string[]; detail: unknown }>;
  /** Its event → sent p99 may be at most this many times the baseline scenario's. */
  maxP99VersusBaseline?: number;
}

/** The channel each channel worker delivers, from the registry. */
const APP_CHANNEL = new Map<AppName, Channel>(
  CHANNELS.map((channel) => [CHANNEL_DEFINITIONS[channel].app, channel]),
);

function recoveryOf(app: AppName): RecoverySignal {
  if (app === "ingest-worker") return { kind: "created" };
  if (app === "query-api") return { kind: "projected" };
  const channel = APP_CHANNEL.get(app);
  return channel ? { kind: "sent", channel } : { kind: "sent" };
}

/** A graceful stop that does not finish in time is escalated, so the scenario stays bounded. */
async function stopApp(harness: Harness, app: AppName, signal: NodeJS.Signals, log: (line: string) => void) {
  const exited = harness.platform.kill(app, signal);
  const outcome = await Promise.race([exited, sleep(45_000).then(() => "timeout" as const)]);
  if (outcome === "timeout") {
    log(`${app} did not exit within 45 s of ${signal}; sending SIGKILL`);
    await harness.platform.kill(app, "SIGKILL");
  }
}

function processScenario(app: AppName, signal: "SIGKILL" | "SIGTERM", label: string): Scenario {
  return {
    id: `${signal.toLowerCase()}-${label}`,
    title: `${signal} ${app}${app === "query-api" ? " (projection)" : ""}, restart`,
    zeroDuplicates: signal === "SIGTERM",
    recovery: recoveryOf(app),
    async inject(harness, log) {
      const startedAt = Date.now();
      log(`${signal} → ${app} (pid ${harness.platform.pid(app)})`);
      await stopApp(harness, app, signal, log);
      await harness.platform.start(app);
      await harness.platform.waitReady([app], 120_000);
      return { startedAt, endedAt: Date.now() };
    },
  };
}

const pgCluster = () => {
  const versions = readdirSync("/etc/postgresql");
  if (versions.length !== 1)
    throw new Error(`expected one PostgreSQL version in /etc/postgresql, found ${versions}`);
  return versions[0] as string;
};

/**
 * Poison records of every class mixed into the stream (see poison.ts), a few at a time:
 * each must be dead-lettered exactly once, no partition may stall, nothing may be lost, and
 * the other events' p99 must stay within twice the no-fault scenario's.
 */
function poisonScenario(): Scenario {
  let records: PoisonRecord[] = [];
  return {
    id: "poison",
    title: "poison records of every class in the stream",
    recovery: { kind: "sent" },
    maxP99VersusBaseline: 2,
    async inject(harness, log) {
      const startedAt = Date.now();
      records = poisonRecords(`r${Date.now().toString(36)}`, "t0-poison");
      log(`producing ${records.length} poison records, one every 500 ms`);
      const producer = poisonProducer({
        connection: harness.connection,
        logger: createLogger({ name: "poison", level: "silent" }),
        registry: createMetricsRegistry("poison"),
      });
      try {
        for (const poison of records) {
          await producer.send(poison);
          await sleep(500);
        }
      } finally {
        await producer.close();
      }
      return { startedAt, endedAt: Date.now() };
    },
    async verify(harness) {
      const report: PoisonReport = await checkPoison(harness.db.sql, records, harness.apps);
      const failures = [
        ...report.missing.map((key) => `poison never dead-lettered: ${key}`),
        ...report.duplicated.map((key) => `poison dead-lettered more than once: ${key}`),
        ...report.stalled.map((line) => `stalled partition: ${line}`),
      ];
      return { failures, detail: report };
    },
  };
}

export const SCENARIOS: Scenario[] = [
  {
    id: "baseline",
    title: "no fault (reference)",
    recovery: { kind: "sent" },
    inject: async () => ({ startedAt: Date.now(), endedAt: Date.now() }),
  },
  poisonScenario(),
  processScenario("ingest-worker", "SIGKILL", "ingest"),
  processScenario("email-worker", "SIGKILL", "email"),
  processScenario("slack-worker", "SIGKILL", "slack"),
  processScenario("inapp-worker", "SIGKILL", "inapp"),
  processScenario("push-worker", "SIGKILL", "push"),
  processScenario("query-api", "SIGKILL", "projection"),
  processScenario("ingest-worker", "SIGTERM", "ingest"),
  processScenario("email-worker", "SIGTERM", "email"),
  processScenario("slack-worker", "SIGTERM", "slack"),
  processScenario("inapp-worker", "SIGTERM", "inapp"),
  processScenario("push-worker", "SIGTERM", "push"),
  processScenario("query-api", "SIGTERM", "projection"),
  {
    id: "smtp-outage",
    title: "SMTP server down for 30 s",
    recovery: { kind: "sent", channel: "EMAIL" },
    async inject(harness, log) {
      const startedAt = Date.now();
      log("SMTP stand-in closed for 30 s");
      await harness.smtp.close();
      await sleep(30_000);
      await harness.smtp.reopen();
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: "push-outage",
    title: "push service down for 30 s",
    recovery: { kind: "sent", channel: "PUSH" },
    async inject(harness, log) {
      const startedAt = Date.now();
      log("push service stand-in stopped for 30 s (connections refused)");
      await harness.push.stop();
      await sleep(30_000);
      await harness.push.start();
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: "kafka-restart",
    title: "Kafka broker restarted",
    recovery: { kind: "sent" },
    async inject(harness, log) {
      const startedAt = Date.now();
      log("restarting the private Kafka broker");
      await harness.broker.restart();
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: "postgres-restart",
    title: "PostgreSQL restarted",
    machineWide: true,
    recovery: { kind: "created" },
    async inject(_harness, log) {
      const startedAt = Date.now();
      log("restarting PostgreSQL (machine-wide)");
      await run("pg_ctlcluster", ["--skip-systemctl-redirect", pgCluster(), "main", "restart"], {
        timeout: 120_000,
      });
      return { startedAt, endedAt: Date.now() };
    },
  },
  {
    id: "redis-restart",
    title: "Redis restarted (no persistence)",
    machineWide: true,
    recovery: { kind: "sent", channel: "IN_APP" },
    async inject(_harness, log) {
      const startedAt = Date.now();
      log("restarting Redis (machine-wide, nothing persisted)");
      await run("redis-cli", ["shutdown", "nosave"], { timeout: 30_000 }).catch(() => {});
      await run(
        "redis-server",
        [
          "--daemonize",
          "yes",
          "--bind",
          "127.0.0.1",
          "-::1",
          "--port",
          "6379",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          "/var/lib/redis",
          "--logfile",
          "/var/log/redis/ci.log",
        ],
        { timeout: 30_000 },
      );
      for (let i = 0; i < 100; i++) {
        const pong = await run("redis-cli", ["ping"]).then(
          (r) => r.stdout.trim(),
          () => "",
        );
        if (pong === "PONG") break;
        await sleep(100);
      }
      return { startedAt, endedAt: Date.now() };
    },
  },
];
