import type { ClusterFaultDetail } from "./cluster-scenarios";
import type { ScenarioResult } from "./run";

const seconds = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`;

/** The cluster scenarios' section of docs/reliability.md (empty when none has run). */
export function clusterSection(scenarios: ScenarioResult[]): string[] {
  const rows = scenarios.filter((s) => s.id.startsWith("cluster-"));
  if (rows.length === 0) return [];
  const lines = [
    "## Kafka cluster faults",
    "",
    "The rows titled *3-broker cluster* ran with `bin/faults --cluster`: the same platform and",
    "workload on a private three-node KRaft cluster (`infra/kafka/kafka.sh --nodes 3`, brokers",
    "127.0.0.1:9592–9594, each node broker and controller voter) with every topic at replication",
    "factor 3 and `min.insync.replicas` 2, unclean leader election off; the platform's producers",
    "write with acks=all and idempotence. The faults are real signals to the node's JVM: SIGKILL",
    "(restarted after 20 s with `kafka.sh start-node`) or SIGSTOP for 20 s, then SIGCONT. Here the",
    "*fault window* is fault start → the node ready again (or continued and answering); *ISR whole*",
    "is fault start → every partition of every topic with its three replicas in sync again.",
    "",
    "| fault | node | FluxPay partitions it led | active controller before → after | ISR whole | recovery | drain | p99 event → sent |",
    "|---|---:|---:|---|---:|---:|---:|---:|",
  ];
  for (const s of rows) {
    const d = s.detail as ClusterFaultDetail | undefined;
    lines.push(
      [
        s.title,
        d?.node ?? "–",
        d?.ledFluxpayPartitions ?? "–",
        d ? `${d.controllerBefore} → ${d.controllerAfter ?? "?"}` : "–",
        seconds(d?.isrRestoredMs),
        seconds(s.recoveryMs),
        seconds(s.drainMs),
        s.latency ? `${s.latency.p99} ms` : "–",
      ]
        .join(" | ")
        .replace(/^/, "| ")
        .concat(" |"),
    );
  }
  lines.push("");
  return lines;
}
