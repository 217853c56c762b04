/**
 * Rebuilds the read model: stop every query-api instance, run
 *   pnpm --filter @fluxnotify/query-api exec tsx scripts/rebuild-read-model.ts --yes
 * then start query-api again; it replays the delivery-events topic from the beginning.
 * A full rebuild needs the topic to still hold every event: retention.ms=-1 on
 * DELIVERY_EVENTS_TOPIC (the default topology keeps 30 days; older notifications would be
 * lost from the rebuilt read model).
 */
import { createDbClient } from "@fluxnotify/db";
import { createAdmin } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { loadQueryApiEnv } from "../src/env";
import { rebuildReadModel } from "../src/projection/rebuild";

const logger = createLogger({ name: "rebuild-read-model" });
if (!process.argv.includes("--yes")) {
  logger.error(
    "this empties notification_log, delivery_stats and notification_events; stop query-api and re-run with --yes",
  );
  process.exit(2);
}
const env = loadQueryApiEnv();
const admin = createAdmin({ brokers: env.KAFKA_BROKERS, clientId: "query-api-rebuild" });
const database = createDbClient(env.DATABASE_URL, { max: 1, applicationName: "query-api-rebuild" });
try {
  await rebuildReadModel({ admin, db: database.db, groupId: env.PROJECTION_GROUP_ID, logger });
  logger.info(
    { topic: env.DELIVERY_EVENTS_TOPIC },
    "done: start query-api to replay; the rebuilt model covers only what the topic still retains",
  );
} catch (error) {
  logger.fatal({ err: error }, "rebuild failed");
  process.exitCode = 1;
} finally {
  await admin.close();
  await database.close();
}
