import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { APP_NAMES, platformApps } from "@fluxnotify/platform/apps";
import { type BrokerHandle, createTopics, startBroker } from "@fluxnotify/platform/broker";
import { ensureAppsBuilt } from "@fluxnotify/platform/build";
import { recordInApp, startSmtpSink, startWebhookSink } from "@fluxnotify/platform/sinks";
import { flushRedisDb, prepareDatabase } from "@fluxnotify/platform/stores";
import { type RunningPlatform, startPlatform } from "@fluxnotify/platform/supervisor";
import { startWebPushService } from "@fluxnotify/shared/testing/push";
import type { TestProject } from "vitest/node";
import "./provided";
import { DEV_ONLY_VAPID_KEYS } from "@fluxnotify/shared/env";
import { e2eEnv } from "./env";
import { startOtlpReceiver } from "./otlp-receiver";
import { E2E, isBouncingAddress, platformConfig } from "./resources";
import { startSinkControl } from "./sink-control";

const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await run();
  console.log(`e2e: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
};

/**
 * Brings the whole platform up the way it is deployed (a private broker reset for this run,
 * topics, a database dropped and migrated afresh, a flushed Redis database, the SMTP and
 * webhook sinks, and the six apps as OS processes, compiled as they ship) and tears it all
 * down after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = e2eEnv();
  const runId = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error) => console.error("e2e teardown:", error));
  };
  try {
    await step("apps built (apps/<app>/dist, only those whose sources changed)", () => ensureAppsBuilt());
    const broker: BrokerHandle = await step("broker started on 9192 (reset)", () =>
      startBroker({
        port: E2E.brokerPort,
        controllerPort: E2E.controllerPort,
        reset: true,
        stopOnExit: true,
      }),
    );
    cleanups.push(() => broker.stop());
    await step("topics created", () => createTopics(broker.bootstrap));
    await step("database fluxnotify_e2e recreated", () => prepareDatabase(E2E.databaseUrl, { reset: true }));
    await flushRedisDb(E2E.redisUrl);

    const smtp = await startSmtpSink({ port: E2E.smtpPort, reject: isBouncingAddress });
    cleanups.push(() => smtp.stop());
    const webhook = await startWebhookSink({ port: E2E.webhookPort });
    cleanups.push(() => webhook.stop());
    // Pub/Sub is not per database: listen only to this run's tenants.
    const inapp = await recordInApp(E2E.redisUrl, `e2e-${runId}-*`);
    cleanups.push(() => inapp.stop());
    // Outside production the push worker signs with the development VAPID pair: check that one.
    const push = await startWebPushService({
      port: E2E.pushPort,
      vapidPublicKey: DEV_ONLY_VAPID_KEYS.publicKey,
    });
    cleanups.push(() => push.close());
    const control = await startSinkControl({ smtp, webhook, inapp, push });
    cleanups.push(() => control.stop());
    // Started before the apps and stopped after them: their last spans are flushed on shutdown.
    const otlp = await startOtlpReceiver(E2E.otlpPort);
    cleanups.push(() => otlp.stop());

    // The supervisor appends; each run's logs should tell only that run's story.
    for (const name of APP_NAMES) rmSync(join(env.E2E_LOG_DIR, `${name}.log`), { force: true });
    const platform: RunningPlatform = await startPlatform(
      platformApps({ ...platformConfig(runId), logLevel: env.E2E_LOG_LEVEL }),
      {
        logDir: env.E2E_LOG_DIR,
        onLine:
          env.E2E_VERBOSE === "1" ? (name, line) => console.log(`${name.padEnd(14)} ${line}`) : undefined,
        onExit: (name, exit, expected) => {
          if (!expected) console.error(`e2e: ${name} exited unexpectedly (${exit.signal ?? exit.code})`);
        },
      },
    );
    cleanups.push(() => platform.stop());
    await step("every app ready", () => platform.waitReady(undefined, 90_000));

    project.provide("e2eRunId", runId);
    project.provide("e2eSinkControl", control.url);
    project.provide("e2eLogDir", env.E2E_LOG_DIR);
    project.provide("e2eOtlpReceiver", otlp.url);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
