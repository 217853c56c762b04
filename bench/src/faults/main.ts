// bin/faults: fault injection against the platform as deployed, checked by the ledger.
// Usage: bin/faults [--only sigkill-email,smtp-outage] [--events 5000] [--rate 250] [--list]
//                   [--skip-machine-wide] [--render-only] [--cluster]
// --cluster runs the cluster scenarios (cluster-*) on a private three-node KRaft cluster
// instead of the others on a single broker; either way the other set's rows are kept.
// Writes bench/results/faults.json and docs/reliability.md (a --only run updates its rows;
// --render-only rewrites the doc from the JSON, e.g. after editing analysis.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@fluxnotify/platform";
import { createProducer } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { numberArg, parseArgs } from "../harness/args";
import { stopHarnessOnExit } from "../harness/lifecycle";
import { machineInfo } from "../harness/machine";
import { FAULTS_CLUSTER_RESOURCES, FAULTS_RESOURCES, type Harness, startHarness } from "../harness/platform";
import { CLUSTER_SCENARIOS } from "./cluster-scenarios";
import { type FaultsReport, mergeResults, renderMarkdown, writeReport } from "./report";
import { judgeAgainstBaseline, runScenario, type ScenarioResult, type ScenarioSettings } from "./run";
import { SCENARIOS } from "./scenarios";

const args = parseArgs(process.argv.slice(2), {
  only: "string",
  events: "string",
  rate: "string",
  list: "boolean",
  "skip-machine-wide": "boolean",
  "render-only": "boolean",
  cluster: "boolean",
});
const log = (line: string) => console.error(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}`);

const ALL_SCENARIOS = [...SCENARIOS, ...CLUSTER_SCENARIOS];
if (args.list) {
  for (const s of ALL_SCENARIOS)
    console.log(
      `${s.id.padEnd(24)} ${s.title}${s.machineWide ? "  (machine-wide)" : ""}${s.cluster ? "  (--cluster)" : ""}`,
    );
  process.exit(0);
}

const JSON_PATH = join(REPO_ROOT, "bench/results/faults.json");
const DOC_PATH = join(REPO_ROOT, "docs/reliability.md");
if (args["render-only"]) {
  writeReport(JSON.parse(readFileSync(JSON_PATH, "utf8")) as FaultsReport, JSON_PATH, DOC_PATH);
  console.log(`written: ${DOC_PATH}`);
  process.exit(0);
}

const onCluster = Boolean(args.cluster);
// One harness per run: the cluster scenarios need the three-node cluster, the others the
// single broker they were measured on.
const pool = onCluster ? CLUSTER_SCENARIOS : SCENARIOS;
const only = typeof args.only === "string" ? args.only.split(",").map((id) => id.trim()) : undefined;
const unknown = only?.filter((id) => !ALL_SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(", ")}; see bin/faults --list`);
  process.exit(2);
}
const otherSet = only?.filter((id) => !pool.some((s) => s.id === id)) ?? [];
if (otherSet.length > 0) {
  console.error(
    onCluster
      ? `not cluster scenarios: ${otherSet.join(", ")}; run them without --cluster`
      : `cluster scenarios: ${otherSet.join(", ")}; run them with --cluster`,
  );
  process.exit(2);
}
const selected = pool.filter(
  (s) => (only ? only.includes(s.id) : true) && !(args["skip-machine-wide"] && s.machineWide),
);
const settings: ScenarioSettings = {
  // Three broker JVMs beside the apps on a 2-core machine fall behind at 250/s without any
  // fault: the cluster set streams at a rate it keeps up with, so a fault's cost shows.
  events: numberArg(args.events, onCluster ? 3_000 : 5_000, "events"),
  rate: numberArg(args.rate, onCluster ? 100 : 250, "rate"),
  injectAt: 0.4,
  // Long enough for the slowest recovery seen (a dead worker's 5-minute delivery locks) to
  // show as slow rather than as lost; a scenario that hits these bounds fails.
  timeoutMs: 720_000,
  quiesceTimeoutMs: 540_000,
  stallMs: 360_000,
};
const command = `bin/faults${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;

/** The baseline of the last full report, for a --only run that does not include it. */
function previousBaseline(): ScenarioResult | undefined {
  try {
    const report = JSON.parse(readFileSync(JSON_PATH, "utf8")) as FaultsReport;
    return report.scenarios.find((scenario) => scenario.id === "baseline");
  } catch {
    return undefined;
  }
}

let harness: Harness | undefined;
const lifecycle = stopHarnessOnExit(() => harness, log);

harness = await startHarness({
  resources: onCluster ? FAULTS_CLUSTER_RESOURCES : FAULTS_RESOURCES,
  inAppTenantPattern: "t[0-9]-f*",
  log,
});
// Produce failures during a broker restart are expected: the stream retries and logs one line.
const logger = createLogger({ name: "faults", level: "silent" });
const producer = createProducer({
  connection: harness.connection,
  logger,
  registry: createMetricsRegistry("faults"),
});
const results: ScenarioResult[] = [];
try {
  // A short unrecorded stream first: the first scenario's latency should not include the
  // apps' warm-up (JIT, connection pools, the group joins), since the poison scenario's p99
  // is judged against the baseline's.
  const warmUp = pool.find((s) => s.id === (onCluster ? "cluster-baseline" : "baseline"));
  if (warmUp && !lifecycle.interrupted()) {
    log("── warm-up: 1000 events, not recorded");
    await runScenario(harness, producer, warmUp, { ...settings, events: 1_000 }, log);
  }
  for (const scenario of selected) {
    if (lifecycle.interrupted()) break;
    log(`── ${scenario.id}: ${scenario.title}`);
    const result = await runScenario(harness, producer, scenario, settings, log);
    judgeAgainstBaseline(scenario, result, results.find((r) => r.id === "baseline") ?? previousBaseline());
    results.push(result);
    const l = result.ledger;
    log(
      `${result.passed ? "PASS" : "FAIL"} ${scenario.id}: ` +
        (l
          ? `expected ${l.expected}, sent ${l.sent}, skipped ${l.skipped}, dead-lettered ${l.deadLettered}, lost ${l.lost}, duplicates ${l.duplicates.total}`
          : (result.error ?? "no ledger")),
    );
  }
  const report = mergeResults(
    JSON_PATH,
    {
      generatedAt: new Date().toISOString(),
      command,
      machine: await machineInfo(harness.db.sql),
      settings,
      scenarios: results,
    },
    {
      // A --cluster run is partial too: the single-broker rows stay.
      partial: only !== undefined || Boolean(args["skip-machine-wide"]),
      order: ALL_SCENARIOS.map((s) => s.id),
      otherSet: (onCluster ? SCENARIOS : CLUSTER_SCENARIOS).map((s) => s.id),
      keepSettings: onCluster,
    },
  );
  writeReport(report, JSON_PATH, DOC_PATH);
  console.log(renderMarkdown(report).split("## Results")[1] ?? "");
} finally {
  await producer.close().catch(() => {});
  await harness.stop();
}
process.exit(results.every((r) => r.passed) ? 0 : 1);
