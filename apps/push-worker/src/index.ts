import { createDbClient } from "@fluxnotify/db";
import { runChannelWorker } from "@fluxnotify/shared/delivery";
import { exitOnStartupError } from "@fluxnotify/shared/service";
import { loadWorkerEnv } from "./env";
import { pushMetrics } from "./metrics";
import { pushStrategy } from "./strategy";

const NAME = "push-worker";

async function main(): Promise<void> {
  const env = loadWorkerEnv();
  await runChannelWorker(NAME, env, ({ logger, registry, shutdown, addReadinessCheck }) => {
    if (env.vapid.usingDevKeys) {
      logger.warn(
        "USING THE DEV-ONLY VAPID KEY PAIR: it is published in the source, so anyone can sign pushes as this " +
          "server. Fine for a local run; anywhere else set VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY (bin/vapid makes a pair).",
      );
    }
    const db = createDbClient(env.DATABASE_URL, { max: env.DATABASE_POOL_MAX, applicationName: NAME });
    shutdown.register("database", () => db.close());
    addReadinessCheck("database", () => db.ping());
    const strategy = pushStrategy({
      sql: db.sql,
      policy: {
        allowedHosts: env.PUSH_ALLOWED_HOSTS,
        allowInsecureLoopback: env.PUSH_ALLOW_INSECURE_LOOPBACK,
      },
      vapid: env.vapid,
      ttlSeconds: env.PUSH_TTL_SECONDS,
      timeoutMs: env.PUSH_TIMEOUT_MS,
      openUrl: env.PUSH_OPEN_URL,
      fcm: env.fcm,
      logger,
      metrics: pushMetrics(registry),
    });
    shutdown.register("http agents", () => strategy.close());
    logger.info(
      {
        allowedHosts: env.PUSH_ALLOWED_HOSTS,
        vapidPublicKey: env.vapid.publicKey,
        fcm: env.fcm
          ? { projectId: env.fcm.projectId, host: new URL(env.fcm.baseUrl).host }
          : "not configured",
      },
      "push worker configured",
    );
    return strategy;
  });
}

main().catch((error: unknown) => exitOnStartupError(NAME, error));
