// bin/faults: fault injection against the platform as deployed, checked by the ledger.
// Usage: bin/faults [--only sigkill-email,smtp-outage] [--events 5000] [--rate 250] [--list]
//                   [--skip-machine-wide]
// Writes bench/results/faults.json and docs/reliability.md (a --only run updates its rows).
import { join } from "node:path";
import { REPO_ROOT } from "@fluxnotify/platform";
import { createProducer } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { numberArg, parseArgs } from "../harness/args";
import { machineInfo } from "../harness/machine";
import { FAULTS_RESOURCES, type Harness, startHarness } from "../harness/platform";
import { mergeResults, renderMarkdown, writeReport } from "./report";
import { runScenario, type ScenarioResult, type ScenarioSettings } from "./run";
import { SCENARIOS } from "./scenarios";

const args = parseArgs(process.argv.slice(2), {
  only: "string",
  events: "string",
  rate: "string",
  list: "boolean",
  "skip-machine-wide": "boolean",
});
const log = (line: string) => console.error(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}`);

if (args.list) {
  for (const s of SCENARIOS)
    console.log(`${s.id.padEnd(20)} ${s.title}${s.machineWide ? "  (machine-wide)" : ""}`);
  process.exit(0);
}

const only = typeof args.only === "string" ? args.only.split(",").map((id) => id.trim()) : undefined;
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(", ")}; see bin/faults --list`);
  process.exit(2);
}
const selected = SCENARIOS.filter(
  (s) => (only ? only.includes(s.id) : true) && !(args["skip-machine-wide"] && s.machineWide),
);
const settings: ScenarioSettings = {
  events: numberArg(args.events, 5_000, "events"),
  rate: numberArg(args.rate, 250, "rate"),
  injectAt: 0.4,
  timeoutMs: 480_000,
  quiesceTimeoutMs: 300_000,
  stallMs: 90_000,
};
const command = `bin/faults${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;

let harness: Harness | undefined;
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the platform and the broker`);
    void (harness?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

harness = await startHarness({ resources: FAULTS_RESOURCES, inAppPattern: "notifications:t[0-9]-f*", log });
const logger = createLogger({ name: "faults", level: "warn" });
const producer = createProducer({
  connection: harness.connection,
  logger,
  registry: createMetricsRegistry("faults"),
});
const results: ScenarioResult[] = [];
try {
  for (const scenario of selected) {
    if (interrupted) break;
    log(`── ${scenario.id}: ${scenario.title}`);
    const result = await runScenario(harness, producer, scenario, settings, log);
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
    join(REPO_ROOT, "bench/results/faults.json"),
    {
      generatedAt: new Date().toISOString(),
      command,
      machine: await machineInfo(harness.db.sql),
      settings,
      scenarios: results,
    },
    { partial: only !== undefined || Boolean(args["skip-machine-wide"]), order: SCENARIOS.map((s) => s.id) },
  );
  writeReport(report, join(REPO_ROOT, "bench/results/faults.json"), join(REPO_ROOT, "docs/reliability.md"));
  console.log(renderMarkdown(report).split("## Results")[1] ?? "");
} finally {
  await producer.close().catch(() => {});
  await harness.stop();
}
process.exit(results.every((r) => r.passed) ? 0 : 1);
