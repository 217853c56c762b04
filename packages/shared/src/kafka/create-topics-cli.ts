// Creates every topic of the platform with its partition count and replication
// (KAFKA_REPLICATION_FACTOR; auto-creation is off).
// Idempotent: existing topics are left as they are. Run by bin/dev and by the compose
// `setup` service before the apps start.
import { topology } from "../contracts/topics";
import { createLogger } from "../logger";
import { createAdmin, waitForKafka } from "./admin";
import { loadCreateTopicsEnv } from "./env";

const logger = createLogger({ name: "create-topics" });
const env = loadCreateTopicsEnv();
const connection = { brokers: env.KAFKA_BROKERS, clientId: "create-topics" };

const admin = createAdmin(connection);
try {
  await waitForKafka(connection, 30_000);
  const specs = topology({
    partitions: env.TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  });
  const created = await admin.ensureTopics(specs);
  logger.info(
    { created, total: specs.length, replicationFactor: env.KAFKA_REPLICATION_FACTOR },
    created.length ? "topics created" : "topics already exist",
  );
} catch (error) {
  logger.fatal({ err: error }, "could not create topics");
  process.exitCode = 1;
} finally {
  // An open admin keeps its sockets, and the process, alive: a refused replication factor
  // left this command hanging (10 minutes on a single broker) instead of exiting 1.
  await admin.close().catch(() => {});
}
