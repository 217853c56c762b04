import { createLogger } from "@fluxnotify/shared/logger";
import { loadMigrateEnv } from "./env";
import { runMigrations } from "./migrate";

const logger = createLogger({ name: "migrate" });

try {
  const env = loadMigrateEnv();
  const started = Date.now();
  const { createdDatabase } = await runMigrations(env.DATABASE_URL);
  const database = new URL(env.DATABASE_URL).pathname.slice(1);
  logger.info({ database, createdDatabase, durationMs: Date.now() - started }, "migrations applied");
} catch (error) {
  logger.fatal({ err: error }, "migration failed");
  process.exitCode = 1;
}
