/**
 * The query API alone (no projection), serving a given database: the load script runs it
 * in its own process so the load generator does not share its event loop.
 * Args: --database-url URL --redis-url URL --secret S [--port 0] [--pool 20] [--kafka-brokers host:port]
 * [--channel-prefix P] [--stream-max-per-user 10]. Prints "PORT <n>". The broker is only asked for the
 * pipeline dashboard, if called; scripts/bench-stream.ts runs this script's bundle.
 */
import { parseArgs } from "node:util";
import { createDbClient } from "@fluxnotify/db";
import { consumerGroupTopology } from "@fluxnotify/shared/contracts";
import { DEV_ONLY_VAPID_KEYS } from "@fluxnotify/shared/env";
import { listen } from "@fluxnotify/shared/http";
import { createAdmin } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { createRedis } from "@fluxnotify/shared/redis";
import { createQueryApi } from "../src/http/app";
import { createInbox, DEFAULT_INBOX_SETTINGS } from "../src/inbox/index";
import { createPipeline } from "../src/pipeline/index";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379/15" },
    secret: { type: "string" },
    port: { type: "string", default: "0" },
    pool: { type: "string", default: "20" },
    "kafka-brokers": { type: "string", default: "127.0.0.1:9092" },
    // INAPP_CHANNEL_PREFIX: Pub/Sub ignores the database number, so a run of its own needs one.
    "channel-prefix": { type: "string", default: "" },
    "stream-max-per-user": { type: "string", default: String(DEFAULT_INBOX_SETTINGS.maxStreamsPerUser) },
  },
});
const databaseUrl = values["database-url"];
if (!databaseUrl || !values.secret) throw new Error("--database-url and --secret are required");

const logger = createLogger({ name: "query-api-load", level: "warn" });
const database = createDbClient(databaseUrl, { max: Number(values.pool), applicationName: "query-api-load" });
const redis = createRedis(values["redis-url"], { logger, name: "query-api-load" });
const registry = createMetricsRegistry("query-api-load");
const subscriber = createRedis(values["redis-url"], { logger, name: "query-api-load-streams" });
const inbox = createInbox(
  { sql: database.sql, redis, subscriber, logger, registry, channelPrefix: values["channel-prefix"] },
  { ...DEFAULT_INBOX_SETTINGS, maxStreamsPerUser: Number(values["stream-max-per-user"]) },
);
const pipeline = createPipeline({
  admin: createAdmin(
    { brokers: values["kafka-brokers"].split(","), clientId: "query-api-load" },
    { retries: 1, connectTimeoutMs: 2_000, requestTimeoutMs: 3_000 },
  ),
  groups: consumerGroupTopology(),
  redis,
  keyPrefix: "",
  logger,
});
const { app, health } = createQueryApi({
  db: database.db,
  redis,
  logger,
  registry,
  auth: { jwtSecret: values.secret },
  checks: {},
  slackPolicy: { allowedHosts: ["hooks.slack.com"], allowInsecureLoopback: false },
  push: {
    sql: database.sql,
    policy: { allowedHosts: ["fcm.googleapis.com"], allowInsecureLoopback: false },
    vapidPublicKey: DEV_ONLY_VAPID_KEYS.publicKey,
    maxTargetsPerUser: 20,
  },
  inbox,
  pipeline,
  defaultTimeZone: "Asia/Seoul",
});
health.setStarted(true);
const server = await listen(app, Number(values.port), "127.0.0.1");
process.stdout.write(`PORT ${server.port}\n`);
process.on("SIGTERM", () => {
  // As src/index.ts: open streams end first (the HTTP server waits for open responses).
  void inbox.hub
    .close()
    .then(() => server.close())
    .then(() => Promise.all([database.close(), redis.quit(), subscriber.quit(), pipeline.close()]))
    .finally(() => process.exit(0));
});
