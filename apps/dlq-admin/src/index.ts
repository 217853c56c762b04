import { createDbClient } from "@fluxnotify/db";
import { replayTargets } from "@fluxnotify/shared/contracts";
import { kafkaConnectionFrom } from "@fluxnotify/shared/env";
import { authOptionsFrom, listen } from "@fluxnotify/shared/http";
import { createAdmin, createProducer } from "@fluxnotify/shared/kafka";
import { createServiceContext, exitOnStartupError } from "@fluxnotify/shared/service";
import { loadDlqAdminEnv } from "./env";
import { createDlqAdmin } from "./service";

async function main() {
  const env = loadDlqAdminEnv();
  const { logger, registry, shutdown } = createServiceContext("dlq-admin", env);
  const database = createDbClient(env.DATABASE_URL, {
    max: env.DATABASE_POOL_MAX,
    applicationName: "dlq-admin",
  });
  shutdown.register("database", () => database.close());
  const connection = kafkaConnectionFrom(env, "dlq-admin");
  const producer = createProducer({ connection, logger, registry });
  const kafkaAdmin = createAdmin(connection);
  shutdown.register("producer", async () => {
    await producer.close();
    await kafkaAdmin.close();
  });

  const service = createDlqAdmin({
    db: database.db,
    pingDb: database.ping,
    producer,
    listTopics: () => kafkaAdmin.listTopics(),
    connection,
    logger,
    registry,
    auth: authOptionsFrom(env),
    topics: env.DLQ_TOPICS,
    groupId: env.CONSUMER_GROUP,
    outcomes: { topic: env.REPLAY_OUTCOMES_TOPIC, groupId: env.OUTCOMES_CONSUMER_GROUP },
    originals: { topic: env.ORIGINALS_TOPIC, groupId: env.ORIGINALS_CONSUMER_GROUP },
    replayTargets: replayTargets(),
    retryAllMax: env.RETRY_ALL_MAX,
  });

  // Serving first (readiness answers 503 "starting") so probes see the process early.
  const server = await listen(service.app, env.PORT);
  logger.info({ port: server.port }, "dlq-admin listening");
  shutdown.register("http server", () => server.close());
  let starting: Promise<void> | undefined;
  shutdown.register("dlq consumer", async () => {
    service.pending.stop();
    // A stop racing the group join would only end at the drain deadline: let the join finish.
    await starting?.catch(() => {});
    const drainMs = Math.floor(env.SHUTDOWN_TIMEOUT_MS / 2);
    await Promise.all(service.runners.map((runner) => runner.stop(drainMs)));
  });
  // Registered last so it runs first: stop getting traffic before anything closes.
  shutdown.register("readiness", () => service.health.setShuttingDown(true));
  shutdown.listen();

  starting = Promise.all(service.runners.map((runner) => runner.start())).then(() => {});
  await starting;
  if (shutdown.isShuttingDown) return;
  service.pending.start(env.PENDING_GAUGE_REFRESH_MS);
  service.health.setStarted(true);
  logger.info({ topics: env.DLQ_TOPICS, groupId: env.CONSUMER_GROUP }, "dlq-admin started");
}

main().catch((error: unknown) => exitOnStartupError("dlq-admin", error));
