import { createLogger, type Logger } from "./logger";
import { createMetricsRegistry, type Registry } from "./metrics";
import { ShutdownManager } from "./shutdown";

export interface ServiceContext {
  name: string;
  logger: Logger;
  registry: Registry;
  shutdown: ShutdownManager;
}

/**
 * The pieces every app's composition root starts with. Unhandled rejections and uncaught
 * exceptions are logged and turned into a clean shutdown rather than a silent death.
 */
export function createServiceContext(
  name: string,
  env: { LOG_LEVEL: string; SHUTDOWN_TIMEOUT_MS: number },
): ServiceContext {
  const logger = createLogger({ name, level: env.LOG_LEVEL });
  const registry = createMetricsRegistry(name);
  const shutdown = new ShutdownManager({ logger, timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
  const fail = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    void shutdown.shutdown().finally(() => process.exit(1));
  };
  process.on("uncaughtException", fail("uncaught exception"));
  process.on("unhandledRejection", fail("unhandled rejection"));
  return { name, logger, registry, shutdown };
}

/** Logs a start-up failure (e.g. invalid configuration) and exits non-zero. */
export function exitOnStartupError(name: string, error: unknown): never {
  const logger = createLogger({ name });
  logger.fatal({ err: error }, "failed to start");
  process.exit(1);
}
