import type { ClusterFaultDetail } from "./cluster-scenarios";
import type { ScenarioResult } from "./run";

const seconds = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`;

/** The cluster scenarios' section of docs/reliability.md (empty when none has run). */
export function clusterSection(scenarios: ScenarioResult[]): string[] {
  const rows = scenarios.filter((s) => s.id.startsWith("cluster-"));
  if (rows.length === 0) return [];
  const streams = [
    ...new Set(rows.map((s) => (s.stream ? `${s.stream.events} events at ${s.stream.rate}/s` : "?"))),
  ];
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
    "is fault start → every partition of every topic with its three replicas in sync again;",
    "*delivery gap* / *ingest gap*: the longest time, from the fault on, in which no notification",
    "settled / was created (the baseline's shows what the machine's load alone costs).",
    `Stream: ${streams.join(", ")} (three JVMs beside the six apps on this machine: a rate the`,
    "cluster keeps up with without a fault, so the fault's cost shows instead of a backlog).",
    "",
    "| fault | node | FluxPay partitions it led | active controller before → after | ISR whole | delivery gap | ingest gap | recovery | drain | p99 event → sent |",
    "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const s of rows) {
    const d = s.detail as Partial<ClusterFaultDetail> | undefined;
    lines.push(
      [
        s.title,
        d?.node ?? "–",
        d?.ledFluxpayPartitions ?? "–",
        d?.controllerBefore ? `${d.controllerBefore} → ${d.controllerAfter ?? "?"}` : "–",
        seconds(d?.isrRestoredMs),
        seconds(d?.deliveryGapMs),
        seconds(d?.ingestGapMs),
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
