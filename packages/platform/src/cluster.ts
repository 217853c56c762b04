import { join } from "node:path";
import { REPO_ROOT } from "./apps";
import type { BrokerHandle } from "./broker";
import { kafkaSh, kafkaShLifecycle } from "./kafka-sh";

export interface ClusterOptions {
  /** Node i listens on port+i-1, its controller on controllerPort+i-1. */
  port: number;
  controllerPort: number;
  /** Wipe the cluster's data dir first: no topics, offsets or records from earlier runs. */
  reset?: boolean;
  /** JVM heap per node (kafka.sh's cluster default is 384m). */
  heap?: string;
  /** Stop the cluster when this process exits without calling stop(). */
  stopOnExit?: boolean;
}

/**
 * A private three-node KRaft cluster (`kafka.sh --nodes 3`), with the handles fault
 * injection needs: one node's pid, a signal to it, starting it again, the active controller.
 * `bootstrap` lists all three nodes (the KAFKA_BROKERS value).
 */
export interface ClusterHandle extends BrokerHandle {
  nodes: number[];
  /** Broker listener port of a node. */
  nodePort(node: number): number;
  nodePid(node: number): Promise<number | undefined>;
  /** Sends the signal and returns (SIGKILL, SIGSTOP, SIGCONT: fault injection wants it abrupt). */
  signal(node: number, signal: "SIGKILL" | "SIGSTOP" | "SIGCONT" | "SIGTERM"): Promise<void>;
  /** Starts a node that was killed; resolves once it is ready (registered and unfenced). */
  startNode(node: number): Promise<void>;
  /** Node id of the active KRaft controller (the metadata quorum's leader). */
  controller(): Promise<number>;
}

const NODES = [1, 2, 3];

export async function startCluster(options: ClusterOptions): Promise<ClusterHandle> {
  const env: Record<string, string> = {
    KAFKA_NODES: String(NODES.length),
    KAFKA_PORT: String(options.port),
    KAFKA_CONTROLLER_PORT: String(options.controllerPort),
    ...(options.heap ? { KAFKA_HEAP: options.heap } : {}),
  };
  const nodePort = (node: number) => options.port + node - 1;
  const brokers = NODES.map((node) => `127.0.0.1:${nodePort(node)}`);
  const lifecycle = kafkaShLifecycle(env, {
    brokers,
    clientId: "platform-cluster",
    stopOnExit: options.stopOnExit,
  });
  const nodePid = async (node: number) => {
    const pid = Number((await kafkaSh(["pid", String(node)], env).catch(() => "")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };
  await lifecycle.start(options.reset ?? false);
  return {
    port: options.port,
    bootstrap: brokers.join(","),
    dataDir: join(REPO_ROOT, ".local", `kafka-cluster-${options.port}`),
    nodes: NODES,
    nodePort,
    stop: lifecycle.stop,
    start: () => lifecycle.start(false),
    restart: lifecycle.restart,
    // BrokerHandle's synchronous pid: node 1's is not meaningful for a cluster.
    pid: () => undefined,
    nodePid,
    async signal(node, signal) {
      await kafkaSh(["kill", String(node), signal], env);
    },
    async startNode(node) {
      await kafkaSh(["start-node", String(node)], env);
    },
    async controller() {
      const out = (await kafkaSh(["controller"], env)).trim();
      const id = Number(out.split("\n").at(-1));
      if (!NODES.includes(id)) throw new Error(`kafka.sh controller printed no node id: ${out}`);
      return id;
    },
  };
}
