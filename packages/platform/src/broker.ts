import { readFileSync } from "node:fs";
import { join } from "node:path";
import { topology } from "@fluxnotify/shared/contracts";
import { createAdmin, waitForKafka } from "@fluxnotify/shared/kafka";
import { REPO_ROOT } from "./apps";
import { kafkaShLifecycle } from "./kafka-sh";

export { type ClusterHandle, type ClusterOptions, startCluster } from "./cluster";
export { flushRedisDb, prepareDatabase } from "./stores";

export interface BrokerOptions {
  port: number;
  controllerPort: number;
  /** Wipe the broker's data dir first: no topics, offsets or records from earlier runs. */
  reset?: boolean;
  /** JVM heap, e.g. "512m" (kafka.sh's default). */
  heap?: string;
  /**
   * Stop the broker when this process exits without calling stop() (Ctrl-C of a test run):
   * kafka.sh runs it in its own session, so nothing else would.
   */
  stopOnExit?: boolean;
}

export interface BrokerHandle {
  port: number;
  bootstrap: string;
  /** kafka.sh's data dir for this port (.local/kafka-<port>). */
  dataDir: string;
  /** Graceful stop through kafka.sh (SIGTERM, SIGKILL after its timeout). */
  stop(): Promise<void>;
  /** Starts it again on the same data (no reset); resolves once it answers metadata. */
  start(): Promise<void>;
  restart(): Promise<void>;
  pid(): number | undefined;
}

/** A private single-node broker (infra/kafka/kafka.sh) on its own ports and data dir. */
export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const env: Record<string, string> = {
    KAFKA_NODES: "1",
    KAFKA_PORT: String(options.port),
    KAFKA_CONTROLLER_PORT: String(options.controllerPort),
    ...(options.heap ? { KAFKA_HEAP: options.heap } : {}),
  };
  const bootstrap = `127.0.0.1:${options.port}`;
  const dataDir = join(REPO_ROOT, ".local", `kafka-${options.port}`);
  const lifecycle = kafkaShLifecycle(env, {
    brokers: [bootstrap],
    clientId: "platform-broker",
    stopOnExit: options.stopOnExit,
  });
  await lifecycle.start(options.reset ?? false);
  return {
    port: options.port,
    bootstrap,
    dataDir,
    stop: lifecycle.stop,
    start: () => lifecycle.start(false),
    restart: lifecycle.restart,
    pid() {
      try {
        const pid = Number(readFileSync(join(dataDir, "kafka.pid"), "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Creates every topic of the platform (topology()), as bin/dev's create-topics step does. */
export async function createTopics(
  bootstrap: string,
  options: { partitions?: number; replicationFactor?: number } = {},
): Promise<string[]> {
  const connection = { brokers: bootstrap.split(","), clientId: "platform-topics" };
  await waitForKafka(connection, 60_000);
  const admin = createAdmin(connection);
  try {
    return await admin.ensureTopics(
      topology({ partitions: options.partitions ?? 6, replicationFactor: options.replicationFactor ?? 1 }),
    );
  } finally {
    await admin.close();
  }
}
