// Faults a production Kafka cluster has: a broker lost (SIGKILL) and restarted, the active
// KRaft controller lost, a broker frozen (SIGSTOP: a long GC pause, a stalled VM) and
// continued. They run on a private three-node cluster (bin/faults --cluster) with every
// topic at replication factor 3 and min.insync.replicas 2: one node may be gone without
// refusing a write or losing an acknowledged one.
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterHandle } from "@fluxnotify/platform";
import { DOMAINS, fluxpayTopic, topology } from "@fluxnotify/shared/contracts";
import { createAdmin, type PartitionPlacement, waitForKafka } from "@fluxnotify/shared/kafka";
import type { Harness } from "../harness/platform";
import type { FaultWindow, Scenario } from "./scenarios";

/** How long a killed node stays down before it is started again. */
const DOWN_MS = 20_000;
/** How long a node stays frozen. */
const PAUSE_MS = 20_000;
/** Bound on waiting for every partition's ISR to be whole again after the fault. */
const ISR_TIMEOUT_MS = 180_000;

/** What a cluster scenario reports besides the ledger (the report's detail). */
export interface ClusterFaultDetail {
  node: number;
  /** Partitions of the FluxPay topics the node led when the fault began. */
  ledFluxpayPartitions: number;
  controllerBefore: number;
  controllerAfter?: number;
  /** Fault start → every partition of every topic with all 3 replicas in sync again. */
  isrRestoredMs?: number | null;
  /** Longest time without a notification settling (any channel), from the fault on. */
  deliveryGapMs?: number;
  /** Longest time without a notification created (the ingest worker), from the fault on. */
  ingestGapMs?: number;
}

/**
 * The longest pause between consecutive notifications reaching `column` at or after `from`:
 * how long a stage stood still. The faults database holds one scenario at a time (the one
 * before has quiesced), so every row after `from` is this scenario's.
 */
async function longestGap(
  harness: Harness,
  column: "status_at" | "created_at",
  from: number,
): Promise<number> {
  const sql = harness.db.sql;
  const rows: { gap: number | null }[] = await sql`
    select (max(gap) * 1000)::float8 as gap from (
      select extract(epoch from ${sql(column)} - lag(${sql(column)}) over (order by ${sql(column)})) as gap
      from notification_log
      where ${sql(column)} >= to_timestamp(${from / 1000}) ${column === "status_at" ? sql`and status <> 'PENDING'` : sql``}
    ) gaps`;
  return Math.round(rows[0]?.gap ?? 0);
}

function clusterOf(harness: Harness): ClusterHandle {
  if (!harness.cluster)
    throw new Error("a cluster scenario needs the cluster harness: run bin/faults --cluster");
  return harness.cluster;
}

async function placement(harness: Harness, topics: string[]): Promise<Map<string, PartitionPlacement[]>> {
  const admin = createAdmin(harness.connection, { retries: 2, requestTimeoutMs: 5_000 });
  try {
    return await admin.placement(topics);
  } finally {
    await admin.close().catch(() => {});
  }
}

/** FluxPay partitions led per node: the node leading most is where a fault hurts most. */
async function fluxpayLeaders(harness: Harness): Promise<Map<number, number>> {
  const led = new Map<number, number>();
  for (const partitions of (await placement(harness, DOMAINS.map(fluxpayTopic))).values()) {
    for (const p of partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
  }
  return led;
}

/** Fault start → the ISR of every topic's partitions whole again (null: not within the bound). */
async function isrRestored(harness: Harness, startedAt: number): Promise<number | null> {
  const topics = topology().map((spec) => spec.name);
  while (Date.now() - startedAt < ISR_TIMEOUT_MS) {
    const whole = await placement(harness, topics).then(
      (all) => [...all.values()].every((parts) => parts.every((p) => p.isr.length === p.replicas.length)),
      () => false,
    );
    if (whole) return Date.now() - startedAt;
    await sleep(500);
  }
  return null;
}

/**
 * A cluster fault on one node: `pick` chooses it, `fault` does the damage and resolves when
 * the node is back. The ISR watch starts once the node is back and is awaited in verify.
 */
function clusterScenario(options: {
  id: string;
  title: string;
  pick(led: Map<number, number>, controller: number): number;
  fault(cluster: ClusterHandle, node: number, log: (line: string) => void): Promise<void>;
}): Scenario {
  let detail: ClusterFaultDetail | undefined;
  let isr: Promise<number | null> = Promise.resolve(null);
  let startedAt = 0;
  return {
    id: options.id,
    title: options.title,
    cluster: true,
    recovery: { kind: "sent" },
    async inject(harness, log) {
      const cluster = clusterOf(harness);
      const led = await fluxpayLeaders(harness);
      const controllerBefore = await cluster.controller();
      const node = options.pick(led, controllerBefore);
      detail = { node, ledFluxpayPartitions: led.get(node) ?? 0, controllerBefore };
      log(
        `node ${node} (pid ${await cluster.nodePid(node)}) leads ${detail.ledFluxpayPartitions} FluxPay partitions; ` +
          `active controller: node ${controllerBefore}`,
      );
      startedAt = Date.now();
      await options.fault(cluster, node, log);
      const window: FaultWindow = { startedAt, endedAt: Date.now() };
      isr = isrRestored(harness, startedAt);
      return window;
    },
    async verify(harness) {
      const cluster = clusterOf(harness);
      if (!detail) return { failures: ["the fault was never injected"], detail };
      detail.isrRestoredMs = await isr;
      detail.deliveryGapMs = await longestGap(harness, "status_at", startedAt);
      detail.ingestGapMs = await longestGap(harness, "created_at", startedAt);
      detail.controllerAfter = await cluster.controller().catch(() => undefined);
      const failures =
        detail.isrRestoredMs === null ? [`ISR not whole again within ${ISR_TIMEOUT_MS / 1000} s`] : [];
      return { failures, detail };
    },
  };
}

/** The node leading most FluxPay partitions, the active controller only if it must be. */
function busiestNotController(led: Map<number, number>, controller: number): number {
  const ranked = [...led].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([node]) => node);
  return ranked.find((node) => node !== controller) ?? ranked[0] ?? 1;
}

async function killAndRestart(cluster: ClusterHandle, node: number, log: (line: string) => void) {
  await cluster.signal(node, "SIGKILL");
  log(`SIGKILL → node ${node}; starting it again in ${DOWN_MS / 1000} s`);
  await sleep(DOWN_MS);
  await cluster.startNode(node);
  log(`node ${node} ready again`);
}

/** No fault: the reference for the gaps (what this machine's load alone costs). */
function baselineScenario(): Scenario {
  let startedAt = 0;
  return {
    id: "cluster-baseline",
    title: "3-broker cluster: no fault (reference)",
    cluster: true,
    recovery: { kind: "sent" },
    async inject() {
      startedAt = Date.now();
      return { startedAt, endedAt: startedAt };
    },
    async verify(harness) {
      const detail: Partial<ClusterFaultDetail> = {
        deliveryGapMs: await longestGap(harness, "status_at", startedAt),
        ingestGapMs: await longestGap(harness, "created_at", startedAt),
      };
      return { failures: [], detail };
    },
  };
}

export const CLUSTER_SCENARIOS: Scenario[] = [
  baselineScenario(),
  clusterScenario({
    id: "cluster-kill-leader",
    title: `3-broker cluster: SIGKILL a FluxPay partition leader, restart after ${DOWN_MS / 1000} s`,
    pick: busiestNotController,
    fault: killAndRestart,
  }),
  clusterScenario({
    id: "cluster-kill-controller",
    title: `3-broker cluster: SIGKILL the active KRaft controller, restart after ${DOWN_MS / 1000} s`,
    pick: (_led, controller) => controller,
    fault: killAndRestart,
  }),
  clusterScenario({
    id: "cluster-pause-broker",
    title: `3-broker cluster: SIGSTOP a FluxPay partition leader for ${PAUSE_MS / 1000} s, SIGCONT`,
    pick: busiestNotController,
    async fault(cluster, node, log) {
      await cluster.signal(node, "SIGSTOP");
      log(`SIGSTOP → node ${node}; SIGCONT in ${PAUSE_MS / 1000} s`);
      try {
        await sleep(PAUSE_MS);
      } finally {
        await cluster.signal(node, "SIGCONT");
      }
      await waitForKafka(
        { brokers: [`127.0.0.1:${cluster.nodePort(node)}`], clientId: "faults-pause" },
        60_000,
      );
      log(`node ${node} continued and answering`);
    },
  }),
];
