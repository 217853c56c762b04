import { createDbClient } from "@fluxnotify/db";
import { consumerGroupTopology } from "@fluxnotify/shared/contracts";
import { kafkaConnectionFrom } from "@fluxnotify/shared/env";
import { authOptionsFrom, listen } from "@fluxnotify/shared/http";
import { createAdmin, createDeadLetterWriter, createProducer, stallDetail } from "@fluxnotify/shared/kafka";
import { createRedis, pingRedis } from "@fluxnotify/shared/redis";
import { createServiceContext, exitOnStartupError } from "@fluxnotify/shared/service";
import { loadQueryApiEnv, type QueryApiEnv } from "./env";
import { createQueryApi } from "./http/app";
import { createInbox } from "./inbox/index";
import { createPipeline } from "./pipeline/index";
import { createProjectionRunner, projectionLag } from "./projection/runner";

let env: QueryApiEnv;
try {
  env = loadQueryApiEnv();
} catch (error) {
  exitOnStartupError("query-api", error);
}

const { logger, registry, shutdown } = createServiceContext("query-api", env);
shutdown.listen();

const database = createDbClient(env.DATABASE_URL, {
  max: env.DATABASE_POOL_MAX,
  applicationName: "query-api",
});
shutdown.register("database", () => database.close());
const redis = createRedis(env.REDIS_URL, { logger, name: "query-api" });
shutdown.register("redis", async () => {
  await redis.quit();
});

// The inbox streams' own connection: a subscriber can send nothing but (un)subscriptions.
const subscriber = createRedis(env.REDIS_URL, { logger, name: "query-api-streams" });
shutdown.register("stream subscriber", async () => {
  await subscriber.quit();
});
const inbox = createInbox(
  { sql: database.sql, redis, subscriber, logger, registry, channelPrefix: env.INAPP_CHANNEL_PREFIX },
  {
    maxStreamsPerUser: env.STREAM_MAX_PER_USER,
    heartbeatMs: env.STREAM_HEARTBEAT_MS,
    maxBufferedBytes: env.STREAM_MAX_BUFFERED_BYTES,
    replayMax: env.STREAM_REPLAY_MAX,
  },
);
const streams = inbox.hub;

const connection = kafkaConnectionFrom(env, "query-api");
// Only for dead letters of records the read model cannot take.
const producer = createProducer({ connection, logger, registry });
shutdown.register("producer", () => producer.close());
const projection = createProjectionRunner({
  connection,
  groupId: env.PROJECTION_GROUP_ID,
  topic: env.DELIVERY_EVENTS_TOPIC,
  db: database.db,
  logger,
  registry,
  defaultTimeZone: env.DEFAULT_TENANT_TIME_ZONE,
  maxBatchSize: env.PROJECTION_MAX_BATCH,
  deadLetters: { writer: createDeadLetterWriter({ producer, logger }), topicPrefix: env.DLQ_TOPIC_PREFIX },
});

// The pipeline dashboard's own admin client: few retries and short timeouts, so a broker
// that does not answer is reported within seconds instead of holding requests.
const pipeline = createPipeline({
  admin: createAdmin(connection, { retries: 1, connectTimeoutMs: 2_000, requestTimeoutMs: 3_000 }),
  groups: consumerGroupTopology({ projectionGroup: env.PROJECTION_GROUP_ID }),
  redis,
  keyPrefix: env.INAPP_CHANNEL_PREFIX,
  logger,
});
shutdown.register("pipeline admin", () => pipeline.close());

const { app, health } = createQueryApi({
  db: database.db,
  redis,
  logger,
  registry,
  auth: authOptionsFrom(env),
  checks: {
    database: () => database.ping(),
    redis: () => pingRedis(redis),
    streams: async () => {
      if (!streams.isReady()) throw new Error(`stream subscriber is ${subscriber.status}`);
      return { open: streams.size };
    },
    // Reads come from PostgreSQL, so a lagging projection means stale data, not an outage:
    // report it for clients and operators instead of failing readiness.
    projection: async () => ({
      consuming: projection.isHealthy(),
      ...(await projectionLag(projection)),
      ...stallDetail([projection]),
    }),
  },
  slackPolicy: {
    allowedHosts: env.SLACK_ALLOWED_HOSTS,
    allowInsecureLoopback: env.SLACK_ALLOW_INSECURE_LOOPBACK,
  },
  push: {
    sql: database.sql,
    policy: { allowedHosts: env.PUSH_ALLOWED_HOSTS, allowInsecureLoopback: env.PUSH_ALLOW_INSECURE_LOOPBACK },
    vapidPublicKey: env.vapid.publicKey,
    maxTargetsPerUser: env.PUSH_MAX_TARGETS_PER_USER,
  },
  inbox,
  pipeline,
  inboxAllowedOrigins: env.INBOX_ALLOWED_ORIGINS,
  defaultTimeZone: env.DEFAULT_TENANT_TIME_ZONE,
  bodyLimit: env.HTTP_BODY_LIMIT,
});

// HTTP first, so /healthz answers while the projection joins its group; /readyz says
// "starting" until it has.
const server = await listen(app, env.PORT, env.HTTP_HOST);
shutdown.register("http", () => server.close());
// Before the HTTP server closes (it waits for open responses): streams end with a `retry:`
// hint, and their clients reconnect to another process.
shutdown.register("inbox streams", () => streams.close());
logger.info({ port: server.port }, "query-api listening");

// Registered last so it runs first: drain and commit the projection before closing the
// HTTP server and the clients it uses.
shutdown.register("projection", async () => {
  health.setShuttingDown(true);
  await projection.stop(Math.max(1_000, env.SHUTDOWN_TIMEOUT_MS - 5_000));
});

try {
  if (env.usingDevJwtSecret) {
    logger.warn("using the dev-only JWT secret; set AUTH_JWT_SECRET or AUTH_JWKS_URL");
  }
  if (env.vapid.usingDevKeys) logger.warn("publishing the dev-only VAPID public key; set VAPID_PUBLIC_KEY");
  await projection.start();
  health.setStarted(true);
  logger.info({ groupId: env.PROJECTION_GROUP_ID, topic: env.DELIVERY_EVENTS_TOPIC }, "projection started");
} catch (error) {
  logger.fatal({ err: error }, "projection failed to start");
  await shutdown.shutdown().finally(() => process.exit(1));
}
