import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine, type MachineInfo } from "../harness/machine";
import { clusterSection } from "./cluster-report";
import type { PoisonReport } from "./poison";
import type { ScenarioResult, ScenarioSettings } from "./run";

export interface FaultsReport {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  settings: ScenarioSettings;
  scenarios: ScenarioResult[];
}

/**
 * A full run replaces the results of its set; a `--only` run updates just its scenarios, so
 * the machine-wide restarts can be run once, separately, without losing the other rows.
 * The rows of `otherSet` (the cluster scenarios for a single-broker run, and the reverse)
 * are kept either way: the two sets run on different harnesses, in separate runs.
 */
export function mergeResults(
  path: string,
  next: FaultsReport,
  options: { partial: boolean; order: string[]; otherSet?: string[]; keepSettings?: boolean },
): FaultsReport {
  let scenarios = next.scenarios;
  let command = next.command;
  let settings = next.settings;
  const other = new Set(options.otherSet ?? []);
  if (existsSync(path)) {
    const previous = JSON.parse(readFileSync(path, "utf8")) as FaultsReport;
    const ids = new Set(next.scenarios.map((s) => s.id));
    const kept = previous.scenarios.filter((s) => !ids.has(s.id) && (options.partial || other.has(s.id)));
    scenarios = [...kept, ...next.scenarios];
    // Rendered inside backticks: "`a` then `b`".
    // The same command run again is named once.
    const earlier = previous.command.split("` then `").filter((c) => c !== next.command);
    if (kept.length > 0) command = [...earlier, next.command].join("` then `");
    // The Method section describes the single-broker rows: a --cluster run keeps their settings.
    if (options.keepSettings && kept.length > 0) settings = previous.settings;
  }
  const rank = (id: string) =>
    options.order.includes(id) ? options.order.indexOf(id) : options.order.length;
  return { ...next, command, settings, scenarios: [...scenarios].sort((a, b) => rank(a.id) - rank(b.id)) };
}

const seconds = (ms: number | null | undefined) =>
  ms === undefined || ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`;

function row(s: ScenarioResult): string {
  const l = s.ledger;
  if (!l) return `| ${s.title} | **FAIL** | – | – | – | – | – | – | – | – | – | – | – |`;
  const dup = l.duplicates;
  const dupText =
    dup.total === 0 ? "0" : `${dup.total} (email ${dup.EMAIL}, slack ${dup.SLACK}, in-app ${dup.IN_APP})`;
  return [
    s.title,
    s.passed ? "pass" : "**FAIL**",
    l.events,
    l.expected,
    l.sent,
    l.skipped,
    `${l.deadLettered} (${l.plannedDeadLetters} planned)`,
    l.lost,
    dupText,
    seconds(s.faultWindowMs),
    seconds(s.recoveryMs),
    seconds(s.drainMs),
    s.latency ? `${s.latency.p99} ms` : "–",
  ]
    .join(" | ")
    .replace(/^/, "| ")
    .concat(" |");
}

export function renderMarkdown(report: FaultsReport): string {
  const failures = report.scenarios.filter((s) => !s.passed);
  const lines = [
    "# Reliability under faults",
    "",
    `Produced by \`${report.command}\` (bench/src/faults), ${report.generatedAt}, at revision ${report.machine.revision}.`,
    "",
    `Machine: ${describeMachine(report.machine)}`,
    "",
    "## Method",
    "",
    `Each scenario runs against the platform as deployed (six apps as separate processes, started with`,
    "bin/dev's command, on a private Kafka broker, database `fluxnotify_faults` and Redis db 7), with",
    `fresh tenants and users: a stream of ${report.settings.events} FluxPay events offered at`,
    `${report.settings.rate} events/s (orders, payments approved/failed, refunds, subscriptions; 5% of`,
    "payments published before their order; all three CloudEvents encodings; users with channels off,",
    "no email, their own Slack webhook, English, and 1% whose address the SMTP server rejects with 550).",
    `The fault is injected after ${Math.round(report.settings.injectAt * 100)}% of the stream; then the`,
    "script waits until every expected notification is terminal in `notification_log` (bounded:",
    `${report.settings.quiesceTimeoutMs / 1000} s, or ${report.settings.stallMs / 1000} s without progress; the whole scenario ${report.settings.timeoutMs / 1000} s).`,
    "",
    "The ledger computes the expected notifications of every event with the platform's routing",
    "(`routeEvent`, CONTRACT §2 destinations) and checks that each ended SENT, SKIPPED, or",
    "dead-lettered with a reason (FAILED in the read model / a `dlq_messages` row).",
    "*Duplicates* = extra receipts of one notification id at the SMTP server (Message-ID),",
    "the webhook stand-in (notification id in the Slack message) and the Redis Pub/Sub recorder.",
    "*Planned* dead letters are the rejected addresses; any other dead letter fails the scenario.",
    "*Fault window*: fault start → the faulty part back (process ready / service answering).",
    "*Recovery*: fault start → the affected stage has caught up with everything that reached it",
    "before the fault ended (ingest: those events' notifications created; a channel: its",
    "notifications settled; the projection: those statuses visible in the read model).",
    "*Drain*: last event produced → every expected notification terminal. *Lost*: not settled when",
    "the wait ended (a scenario that reaches its bounds fails; the notifications may still arrive later).",
    "",
    "## Results",
    "",
    "| fault | result | events | expected | sent | skipped | dead-lettered | lost | duplicates | fault window | recovery | drain | p99 event → sent |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...report.scenarios.map(row),
    "",
  ];
  const poison = report.scenarios.find((s) => s.id === "poison");
  if (poison?.detail) {
    const detail = poison.detail as PoisonReport;
    lines.push("## Poison records", "");
    lines.push(
      `${detail.records} poison records of every class (poison.ts: text PostgreSQL refuses, bytes that are`,
      "not UTF-8, envelopes without a tenant, a 2 MiB compressed value, amounts and dates out of range,",
      "and the same classes on the command, delivery-event and dead-letter topics) mixed into the stream:",
      `${detail.deadLetteredOnce} dead-lettered exactly once, ${detail.missing.length} never, ${detail.duplicated.length} more than once;`,
      `${detail.stalled.length} partitions stalled. The other events' p99 must stay within 2× the baseline's.`,
      "",
    );
  }
  lines.push(...clusterSection(report.scenarios));
  const exits = report.scenarios.filter((s) => (s.unexpectedExits ?? []).length > 0);
  if (exits.length > 0) {
    lines.push("## Apps that exited on their own", "");
    lines.push("Restarted by the harness after 1 s, as compose's `restart: unless-stopped` would.", "");
    for (const s of exits) lines.push(`- ${s.title}: ${s.unexpectedExits.join(", ")}`);
    lines.push("");
  }
  if (failures.length > 0) {
    lines.push("## Failures", "");
    for (const s of failures)
      lines.push(`- **${s.title}** (${s.id}, run ${s.runId}): ${s.failures.join("; ")}`);
    lines.push("");
  }
  // Hand-written reading of the results (mechanisms, causes, suggested fixes), kept next to
  // the code so a re-run regenerates the whole document.
  const analysis = join(dirname(fileURLToPath(import.meta.url)), "analysis.md");
  if (existsSync(analysis)) lines.push(readFileSync(analysis, "utf8").trim(), "");
  return `${lines.join("\n")}\n`;
}

export function writeReport(report: FaultsReport, jsonPath: string, markdownPath: string): void {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdownPath, renderMarkdown(report));
}
