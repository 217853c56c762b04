import { devTokenSigner } from "@fluxnotify/shared/dev-token";
import { listen } from "@fluxnotify/shared/http";
import { createServiceContext, exitOnStartupError } from "@fluxnotify/shared/service";
import { loadConsoleEnv } from "./env";
import { createConsoleApp } from "./server/app";
import { webFilesDir } from "./web-files";

async function main() {
  const env = loadConsoleEnv();
  const { logger, registry, shutdown } = createServiceContext("console", env);
  // Never in production: tokens there come from the identity provider (devTokenSigner refuses).
  const devTokens = env.NODE_ENV === "production" ? undefined : devTokenSigner(env);
  if (devTokens)
    logger.warn(
      { keySource: devTokens.keySource },
      "development sign-in enabled (POST /console/dev-token); never with NODE_ENV=production",
    );
  const { app, health } = createConsoleApp({
    logger,
    registry,
    upstreams: {
      queryApi: { name: "query-api", base: env.QUERY_API_URL },
      dlqAdmin: { name: "dlq-admin", base: env.DLQ_ADMIN_URL },
    },
    proxy: {
      timeoutMs: env.PROXY_TIMEOUT_MS,
      connectTimeoutMs: env.PROXY_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: env.PROXY_IDLE_TIMEOUT_MS,
    },
    webDir: webFilesDir(),
    devTokens,
  });
  const server = await listen(app, env.PORT);
  shutdown.register("http server", () => server.close());
  // Registered last so it runs first: stop getting traffic before anything closes.
  shutdown.register("readiness", () => health.setShuttingDown(true));
  shutdown.listen();
  health.setStarted(true);
  logger.info(
    { port: server.port, queryApi: env.QUERY_API_URL.origin, dlqAdmin: env.DLQ_ADMIN_URL.origin },
    "console listening",
  );
}

main().catch((error: unknown) => exitOnStartupError("console", error));
