import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DOCS_PATH } from "@fluxnotify/shared/api-docs";
import { CHANNEL_DEFINITIONS, CHANNELS, type ChannelApp } from "@fluxnotify/shared/channels";
import { tenantWebhookVariable } from "@fluxnotify/shared/env";

/** The repository root: every app is started from here, as bin/dev does. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The HTTP APIs: /openapi.json and its reference page (DOCS_PATH) beside their routes. */
export const API_NAMES = ["query-api", "dlq-admin"] as const;
type ApiName = (typeof API_NAMES)[number];
/** The operations console (apps/console): its web app, and a proxy to the two APIs. */
export const CONSOLE = "console";
export type AppName = "ingest-worker" | ChannelApp | ApiName | typeof CONSOLE;

/** Every app: the ingest worker, one worker per channel (from the channel registry), the APIs, the console. */
export const APP_NAMES: readonly AppName[] = [
  "ingest-worker",
  ...CHANNELS.map((channel) => CHANNEL_DEFINITIONS[channel].app),
  ...API_NAMES,
  CONSOLE,
];

/** The ports bin/dev uses (the apps' own defaults; a channel worker's is in its definition). */
export const DEV_PORTS = {
  "ingest-worker": 9101,
  ...(Object.fromEntries(
    CHANNELS.map((channel) => [CHANNEL_DEFINITIONS[channel].app, CHANNEL_DEFINITIONS[channel].healthPort]),
  ) as Record<ChannelApp, number>),
  "query-api": 8080,
  "dlq-admin": 8081,
  console: 8082,
} satisfies Record<AppName, number>;

const isApi = (name: string): name is ApiName => (API_NAMES as readonly string[]).includes(name);

/** The HTTP servers (the APIs, the console) take PORT; the workers serve only health and metrics, on HEALTH_PORT. */
const portVariable = (name: AppName) => (isApi(name) || name === CONSOLE ? "PORT" : "HEALTH_PORT");

/** Where a running API serves its reference page; undefined for every other process. */
export function apiReferenceUrl(spec: ProcessSpec): string | undefined {
  if (!spec.readyUrl || !isApi(spec.name)) return undefined;
  return new URL(DOCS_PATH, spec.readyUrl).href;
}

/** Where a running console opens in a browser; undefined for every other process. */
export function consoleUrl(spec: ProcessSpec): string | undefined {
  if (!spec.readyUrl || spec.name !== CONSOLE) return undefined;
  return new URL("/", spec.readyUrl).href;
}

export interface PlatformConfig {
  /** "127.0.0.1:9192" (comma-separated for several). */
  kafkaBrokers: string;
  databaseUrl: string;
  redisUrl: string;
  smtp: { host: string; port: number };
  /** tenantId → the tenant's operations-channel webhook (SLACK_WEBHOOK_URL_{TENANT}). */
  tenantSlackWebhooks: Record<string, string>;
  /** `host` or `host:port` entries; plain http is allowed only to loopback entries. */
  slackAllowedHosts: string[];
  /**
   * Push services (PUSH_ALLOWED_HOSTS; the apps' default, the major browsers' services, when
   * absent) and FCM's endpoints; loopback entries allow plain http, as for Slack.
   */
  push?: {
    allowedHosts?: string[];
    fcm?: { projectId: string; serviceAccount: string; baseUrl: string };
  };
  /** Defaults: DEV_PORTS. */
  ports?: Partial<Record<AppName, number>>;
  logLevel?: string;
  /** Per-app variables, applied last (e.g. INGEST_BATCH_SIZE, PARK_DEADLINE_MS). */
  env?: Partial<Record<AppName, Record<string, string>>>;
}

/** One OS process of the platform: how to start it and how to tell it is ready. */
export interface ProcessSpec<N extends string = string> {
  name: N;
  command: string[];
  env: Record<string, string>;
  /** GET returning 2xx means ready; none = ready once started. */
  readyUrl?: string;
  /** Working directory; the repository root by default. */
  cwd?: string;
}

export interface AppSpec extends ProcessSpec<AppName> {
  port: number;
  readyUrl: string;
}

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

export const appDir = (name: AppName) => join(REPO_ROOT, "apps", name);

/** The app's bundle (`pnpm build`, or ensureAppsBuilt): one file holding all the code it runs. */
export const appBundle = (name: AppName) => join(appDir(name), "dist", "index.js");

/**
 * How the apps run:
 * - `compiled` (default): `node apps/<app>/dist/index.js`, exactly what the Docker image runs,
 *   in e2e, bin/bench and bin/faults;
 * - `watch`: `tsx watch apps/<app>/src/index.ts`, restarting on every edit: `bin/dev --watch`
 *   only, never measured or shipped.
 */
export type AppRuntime = "compiled" | "watch";

export interface AppCommandOptions {
  runtime?: AppRuntime;
  /**
   * `--enable-source-maps` for compiled apps: stack traces name the TypeScript sources. Off
   * where apps are measured or shipped: Node decodes the whole map the first time it formats
   * a stack, +60–110 MiB RSS per app (ADR 0004). bin/dev turns it on; anyone can, with
   * NODE_OPTIONS=--enable-source-maps (the supervisor passes NODE_OPTIONS through).
   */
  sourceMaps?: boolean;
}

const TSX_CLI = join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");

export function appCommand(name: AppName, options: AppCommandOptions = {}): string[] {
  if (options.runtime === "watch")
    return [process.execPath, TSX_CLI, "watch", "--clear-screen=false", `apps/${name}/src/index.ts`];
  return [process.execPath, ...(options.sourceMaps ? ["--enable-source-maps"] : []), appBundle(name)];
}

const portOf = (name: AppName, config: PlatformConfig) => config.ports?.[name] ?? DEV_PORTS[name];

function appEnv(name: AppName, config: PlatformConfig, port: number): Record<string, string> {
  const env: Record<string, string> = {
    KAFKA_BROKERS: config.kafkaBrokers,
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    LOG_LEVEL: config.logLevel ?? "info",
    [portVariable(name)]: String(port),
  };
  const allowedHosts = config.slackAllowedHosts.join(",");
  if (name === "ingest-worker") {
    for (const [tenant, url] of Object.entries(config.tenantSlackWebhooks))
      env[tenantWebhookVariable(tenant)] = url;
  }
  if (name === "email-worker") {
    env.SMTP_HOST = config.smtp.host;
    env.SMTP_PORT = String(config.smtp.port);
  }
  // query-api validates users' webhooks with the same allow-list the slack-worker enforces.
  if (name === "slack-worker" || name === "query-api") {
    env.SLACK_ALLOWED_HOSTS = allowedHosts;
    if (config.slackAllowedHosts.some((host) => LOOPBACK.test(host.trim())))
      env.SLACK_ALLOW_INSECURE_LOOPBACK = "true";
  }
  // query-api validates registered endpoints with the same allow-list the push-worker enforces.
  if ((name === "push-worker" || name === "query-api") && config.push?.allowedHosts) {
    env.PUSH_ALLOWED_HOSTS = config.push.allowedHosts.join(",");
    if (config.push.allowedHosts.some((host) => LOOPBACK.test(host.trim())))
      env.PUSH_ALLOW_INSECURE_LOOPBACK = "true";
  }
  // The console proxies to this instance's APIs (its browser pages call only the console).
  if (name === CONSOLE) {
    env.QUERY_API_URL = `http://127.0.0.1:${portOf("query-api", config)}`;
    env.DLQ_ADMIN_URL = `http://127.0.0.1:${portOf("dlq-admin", config)}`;
  }
  if (name === "push-worker" && config.push?.fcm) {
    env.FCM_PROJECT_ID = config.push.fcm.projectId;
    env.FCM_SERVICE_ACCOUNT = config.push.fcm.serviceAccount;
    env.FCM_BASE_URL = config.push.fcm.baseUrl;
  }
  return { ...env, ...config.env?.[name] };
}

/**
 * The apps, each its own process, configured for one platform instance. Compiled apps
 * need their bundles: run ensureAppsBuilt (./build) first.
 */
export function platformApps(config: PlatformConfig, options: AppCommandOptions = {}): AppSpec[] {
  return APP_NAMES.map((name) => {
    const port = portOf(name, config);
    return {
      name,
      command: appCommand(name, options),
      env: appEnv(name, config, port),
      port,
      readyUrl: `http://127.0.0.1:${port}/readyz`,
    };
  });
}

/** Ports from a base, one per app in APP_NAMES order: the workers first, then query-api, dlq-admin and the console. */
export function portsFrom(base: number): Record<AppName, number> {
  return Object.fromEntries(APP_NAMES.map((name, index) => [name, base + index])) as Record<AppName, number>;
}
