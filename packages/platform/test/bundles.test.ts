import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { assertSelfContained, readRecord } from "@fluxnotify/build";
import { fetchApiReference } from "@fluxnotify/shared/testing/api-docs";
import { testEnv } from "@fluxnotify/shared/testing/env";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_NAMES,
  APP_NAMES,
  type AppName,
  apiReferenceUrl,
  appDir,
  consoleUrl,
  platformApps,
  REPO_ROOT,
} from "../src/apps";
import { type BrokerHandle, startBroker } from "../src/broker";
import { ensureAppsBuilt, ensureBuilt, SETUP_PACKAGES } from "../src/build";
import { freePort } from "../src/probe";
import { dropDatabase } from "../src/stores";
import { type ExitInfo, type RunningPlatform, startPlatform } from "../src/supervisor";

/**
 * The Docker image holds `node` and apps/<app>/dist, nothing else. This proves that is enough:
 * each app's dist is copied to an empty directory outside the repository (no node_modules
 * anywhere above it) and started there as the image starts it (`node index.js`,
 * NODE_ENV=production, an empty environment besides the app's configuration) until /readyz answers; each HTTP API
 * must also serve its reference page (/docs) and the Swagger UI files it names from the bundle
 * alone, and the console its web app (dist/public) and its proxy. Then each is stopped with SIGTERM and expected to exit 0. The setup image's layout (the bundled migrate and
 * create-topics CLIs, the migrations beside them) prepares the database and topics first, as
 * compose's `setup` service does. A private broker on free ports (the dev broker's consumer
 * groups are left alone) and a database of its own, dropped afterwards.
 */

/**
 * An empty directory with no node_modules on the way up, far from the repository, holding
 * what the images hold: <app>/ = an app image's dist; setup/ = the setup image's /app.
 */
function stageBundles(): string {
  const stage = mkdtempSync(join(tmpdir(), "fluxnotify-bundles-"));
  for (let dir = stage; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, "node_modules"))) throw new Error(`${dir}/node_modules would be visible`);
  if (stage.startsWith(REPO_ROOT)) throw new Error("the stage must be outside the repository");
  for (const name of APP_NAMES) cpSync(join(appDir(name), "dist"), join(stage, name), { recursive: true });
  // As the Dockerfile's setup target lays it out.
  mkdirSync(join(stage, "setup", "dist"), { recursive: true });
  for (const file of ["packages/db/dist/migrate.js", "packages/shared/dist/create-topics.js"])
    cpSync(join(REPO_ROOT, file), join(stage, "setup", "dist", file.split("/").pop() as string));
  cpSync(join(REPO_ROOT, "packages/db/drizzle"), join(stage, "setup", "drizzle"), { recursive: true });
  return stage;
}

const run = promisify(execFile);

describe("compiled apps", () => {
  const databaseUrl = (() => {
    const url = new URL(testEnv().TEST_DATABASE_URL);
    url.pathname = `${url.pathname}_bundles`;
    return url.toString();
  })();
  let stage: string;
  let broker: BrokerHandle | undefined;
  let platform: RunningPlatform | undefined;
  const exits = new Map<AppName, ExitInfo>();

  beforeAll(async () => {
    await ensureAppsBuilt();
    await ensureBuilt("setup CLIs", SETUP_PACKAGES);
    stage = stageBundles();
    const [brokerPort, controllerPort, ...appPorts] = await Promise.all(
      Array.from({ length: 2 + APP_NAMES.length }, freePort),
    );
    broker = await startBroker({
      port: brokerPort as number,
      controllerPort: controllerPort as number,
      reset: true,
      stopOnExit: true,
    });
    await dropDatabase(databaseUrl);
    const setupEnv = {
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: broker.bootstrap,
      TOPIC_PARTITIONS: "1",
    };
    for (const cli of ["dist/migrate.js", "dist/create-topics.js"])
      await run(process.execPath, [cli], { cwd: join(stage, "setup"), env: setupEnv });
    const secret = randomBytes(32).toString("hex");
    // Production needs a VAPID pair of its own (query-api publishes the key, push-worker signs).
    const vapid = generateVapidKeys();
    const vapidEnv = {
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: "mailto:ops@example.com",
    };
    const specs = platformApps({
      kafkaBrokers: broker.bootstrap,
      databaseUrl,
      redisUrl: testEnv().TEST_REDIS_URL,
      smtp: { host: "127.0.0.1", port: 9 },
      tenantSlackWebhooks: {},
      slackAllowedHosts: ["hooks.slack.com"],
      ports: Object.fromEntries(APP_NAMES.map((name, index) => [name, appPorts[index]])),
      logLevel: "warn",
    }).map((spec) => ({
      ...spec,
      command: [process.execPath, join(stage, spec.name, "index.js")],
      cwd: join(stage, spec.name),
      env: { ...spec.env, NODE_ENV: "production", AUTH_JWT_SECRET: secret, ...vapidEnv },
    }));
    platform = await startPlatform(specs, {
      baseEnv: {},
      onExit: (name, exit) => exits.set(name, exit),
    });
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    await broker?.stop();
    if (broker) rmSync(broker.dataDir, { recursive: true, force: true });
    await dropDatabase(databaseUrl).catch(() => {});
    if (stage) rmSync(stage, { recursive: true, force: true });
  }, 120_000);

  const bundled = [...APP_NAMES.map(appDir), ...SETUP_PACKAGES].map((dir) => relative(REPO_ROOT, dir));
  it.each(bundled)("%s: the bundle imports only Node built-ins", async (path) => {
    const record = await readRecord(join(REPO_ROOT, path));
    expect(record?.outputs.length).toBeGreaterThan(0);
    expect(() => assertSelfContained(record ?? { externals: ["(no dist/build.json)"] })).not.toThrow();
  });

  it("after the setup CLIs ran from their copies, every app starts from its copied dist alone, serves /readyz and /metrics (each API its reference page, Swagger UI's files beside it; query-api its inbox component; the console its web app and its proxy, no development sign-in in production), and stops cleanly", async () => {
    const running = platform as RunningPlatform;
    await running.waitReady(undefined, 90_000);
    for (const spec of running.apps) {
      const metrics = await fetch(new URL("/metrics", spec.readyUrl));
      expect(metrics.status, `${spec.name} /metrics`).toBe(200);
      expect(await metrics.text()).toContain("process_resident_memory_bytes");
    }
    const apis = running.apps.flatMap((spec) => {
      const docs = apiReferenceUrl(spec);
      return docs ? [{ name: spec.name, origin: new URL(docs).origin }] : [];
    });
    expect(apis.map((api) => api.name)).toEqual(API_NAMES);
    for (const api of apis) {
      const reference = await fetchApiReference(api.origin);
      expect(reference.page.status, `${api.name} /docs`).toBe(200);
      expect(reference.files.length, `${api.name} /docs files`).toBeGreaterThanOrEqual(3);
      for (const file of reference.files) {
        expect([file.status, file.contentType], `${api.name} ${file.path}`).toEqual([
          200,
          expect.stringMatching(/^text\/(css|javascript); charset=utf-8$/),
        ]);
        expect(file.body.length, `${api.name} ${file.path}`).toBeGreaterThan(100);
      }
    }
    // The inbox component sites embed: the copy the build wrote beside query-api's bundle.
    const queryApi = apis.find((api) => api.name === "query-api")?.origin as string;
    const component = await fetch(new URL("/inbox/fluxnotify-inbox.js", queryApi));
    expect([component.status, component.headers.get("content-type")]).toEqual([
      200,
      "text/javascript; charset=utf-8",
    ]);
    expect(await component.text()).toBe(
      readFileSync(join(appDir("query-api"), "src/inbox-site/fluxnotify-inbox.js"), "utf8"),
    );
    // The console: its web app from the copied dist/public, its proxy, no development sign-in.
    const origin = running.apps.map(consoleUrl).find(Boolean) as string;
    expect(origin).toBeDefined();
    const page = await fetch(new URL("/deliveries", origin));
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expect(page.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'self'/);
    const assets = [...(await page.text()).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets)
      expect((await fetch(new URL(asset as string, origin))).status, asset).toBe(200);
    expect((await fetch(new URL("/api/v1/dashboard/delivery", origin))).status).toBe(401);
    expect((await fetch(new URL("/api/v1/admin/dlq", origin))).status).toBe(401);
    expect(await (await fetch(new URL("/console/config", origin))).json()).toEqual({ devSignIn: false });
    const devToken = await fetch(new URL("/console/dev-token", origin), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenant: "t", userId: "u", role: "operator" }),
    });
    expect(devToken.status).toBe(404);
    await running.stop();
    expect(Object.fromEntries(exits)).toEqual(
      Object.fromEntries(APP_NAMES.map((name) => [name, { code: 0, signal: null }])),
    );
  }, 150_000);
});
