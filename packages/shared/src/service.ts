import type { TracingEnv } from "./env";
import { createLogger, type Logger } from "./logger";
import { createMetricsRegistry, type Registry } from "./metrics";
import { ShutdownManager } from "./shutdown";
import { startTracing, type Tracing } from "./tracing/sdk";

export interface ServiceContext {
  name: string;
  logger: Logger;
  registry: Registry;
  shutdown: ShutdownManager;
  tracing: Tracing;
}

/**
 * The pieces every app's composition root starts with. Unhandled rejections and uncaught
 * exceptions are logged and turned into a clean shutdown rather than a silent death.
 * Tracing starts first when the env enables it (OTEL_*), so every client created after it
 * is traced, and its flush is registered first, so it runs last: the spans of the drain
 * and final commits are exported too.
 */
export function createServiceContext(
  name: string,
  env: { LOG_LEVEL: string; SHUTDOWN_TIMEOUT_MS: number } & TracingEnv,
): ServiceContext {
  const tracing = startTracing(name, env);
  const logger = createLogger({ name, level: env.LOG_LEVEL, traceIds: tracing.enabled });
  const registry = createMetricsRegistry(name);
  const shutdown = new ShutdownManager({ logger, timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
  if (tracing.enabled) {
    tracing.reportErrorsTo(logger);
    shutdown.register("tracing", tracing.shutdown);
    logger.info({ tracesEndpoint: "set", sampler: env.OTEL_TRACES_SAMPLER }, "tracing on (OTLP/HTTP)");
  }
  const fail = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    void shutdown.shutdown().finally(() => process.exit(1));
  };
  process.on("uncaughtException", fail("uncaught exception"));
  process.on("unhandledRejection", fail("unhandled rejection"));
  return { name, logger, registry, shutdown, tracing };
}

/** Logs a start-up failure (e.g. invalid configuration) and exits non-zero. */
export function exitOnStartupError(name: string, error: unknown): never {
  const logger = createLogger({ name });
  logger.fatal({ err: error }, "failed to start");
  process.exit(1);
}
