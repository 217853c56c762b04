import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { describeMachine, type MachineInfo } from "../harness/machine";
import type { StageCost } from "./costs";
import type { Percentiles } from "./latency";
import type { ProfileSummary } from "./profile";
import type { RawBaseline } from "./raw";
import type { PipelineResult } from "./run";

export interface BenchReport {
  mode: "throughput" | "rate";
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  pipeline: PipelineResult;
  raw?: RawBaseline;
  /** Pipeline events/s ÷ raw transport messages/s. */
  pipelineToRaw?: number;
  profiles: Record<string, ProfileSummary>;
  stageCosts: StageCost[];
}

const ms = (p: Percentiles) =>
  `p50 ${p.p50} ms, p95 ${p.p95} ms, p99 ${p.p99} ms, max ${p.max} ms (n=${p.count})`;

export function summaryLines(report: BenchReport): string[] {
  const p = report.pipeline;
  const l = p.ledger;
  const lines = [
    `bench (${report.mode}) — ${report.command} at revision ${report.machine.revision}`,
    `machine: ${describeMachine(report.machine)}`,
    `events: ${p.events}${p.offeredRate ? ` offered at ${p.offeredRate}/s` : " offered as fast as the broker takes them"} (produced in ${p.produceSeconds.toFixed(1)} s)`,
    `end to end (first produce → last status in notification_log): ${p.endToEndSeconds.toFixed(1)} s — ${p.quiescence}`,
    `throughput: ${p.eventsPerSecond} events/s, ${p.notificationsPerSecond} notifications sent/s, ${p.settledPerSecond} settled/s (incl. skipped)`,
    `latency event → sent:            ${ms(p.latency.toSent)}`,
    `latency event → sent (in order): ${ms(p.latency.toSentInOrder)}`,
    `latency event → visible in read model: ${ms(p.latency.toVisible)}`,
    `ledger: expected ${l.expected}, sent ${l.sent}, skipped ${l.skipped}, dead-lettered ${l.deadLettered} (${l.plannedDeadLetters} planned), lost ${l.lost}, mismatched ${l.mismatched}, duplicates ${l.duplicates.total}`,
    `CPU, cores used over the run (machine total ${p.cpu.machine} of ${report.machine.cores}): ${Object.entries(
      p.cpu.perProcess,
    )
      .sort((a, b) => b[1] - a[1])
      .map(([name, cores]) => `${name} ${cores}`)
      .join(", ")}`,
    `peak RSS (MiB): ${Object.entries(p.peakRssMiB)
      .map(([app, mib]) => `${app} ${mib}`)
      .join(", ")}`,
  ];
  if (p.kafkaRequests && Object.keys(p.kafkaRequests.total).length > 0) {
    const perNotification = Object.values(p.kafkaRequests.perNotification).reduce((a, b) => a + b, 0);
    lines.push(
      `Kafka requests per notification (the apps', by API): ${perNotification.toFixed(2)} = ${Object.entries(
        p.kafkaRequests.perNotification,
      )
        .filter(([, n]) => n >= 0.001)
        .map(([api, n]) => `${api} ${n}`)
        .join(", ")}; by app: ${Object.entries(p.kafkaRequests.byApp)
        .sort((a, b) => b[1] - a[1])
        .map(([app, n]) => `${app} ${n}`)
        .join(", ")}`,
    );
  }
  lines.push("CPU per unit of work (whole run, startup included):");
  for (const c of report.stageCosts)
    lines.push(
      `    ${c.stage.padEnd(26)} ${String(c.cpuMsPerUnit).padStart(7)} ms per ${c.unit} (${c.units}) → ~${c.perCorePerSecond}/s per core`,
    );
  const peakLag: Record<string, number> = {};
  for (const sample of p.samples)
    for (const [group, lag] of Object.entries(sample.lag))
      peakLag[group] = Math.max(peakLag[group] ?? 0, lag);
  lines.push(
    `peak consumer lag: ${
      Object.entries(peakLag)
        .map(([g, n]) => `${g} ${n}`)
        .join(", ") || "n/a"
    }`,
  );
  lines.push(`peak FluxPay backlog: ${Math.max(0, ...p.samples.map((s) => s.sourceBacklog))} events`);
  if (report.raw) {
    lines.push(
      `raw transport: ${report.raw.messages} records produced+consumed in ${report.raw.endToEndSeconds.toFixed(1)} s = ${report.raw.messagesPerSecond} msgs/s (produce alone ${report.raw.produceSeconds.toFixed(1)} s)`,
      `pipeline / raw: ${report.pipelineToRaw?.toFixed(4)} (${p.eventsPerSecond} events/s vs ${report.raw.messagesPerSecond} msgs/s)`,
    );
  }
  for (const [app, profile] of Object.entries(report.profiles)) {
    lines.push(`profile ${app}: busy ${profile.busyMs} of ${profile.totalMs} ms; top self time:`);
    for (const area of profile.byArea.slice(0, 8))
      lines.push(`    ${String(area.busyPct).padStart(5)}%  ${area.area}`);
    for (const fn of profile.topFunctions.slice(0, 8))
      lines.push(`    ${String(fn.busyPct).padStart(5)}%  ${fn.name}  ${fn.location}`);
  }
  return lines;
}

/** Lag over time as a compact table (about 12 rows), for the terminal and the docs. */
export function timelineLines(pipeline: PipelineResult): string[] {
  const step = Math.max(1, Math.ceil(pipeline.samples.length / 12));
  const groups = [...new Set(pipeline.samples.flatMap((s) => Object.keys(s.lag)))].sort();
  const lines = [`t(s)  produced  settled  fluxpay-backlog  ${groups.join("  ")}`];
  pipeline.samples.forEach((s, i) => {
    if (i % step !== 0 && i !== pipeline.samples.length - 1) return;
    lines.push(
      `${s.t.toFixed(0).padStart(4)}  ${String(s.produced).padStart(8)}  ${String(s.terminal).padStart(7)}  ${String(s.sourceBacklog).padStart(15)}  ${groups.map((g) => String(s.lag[g] ?? "-").padStart(g.length)).join("  ")}`,
    );
  });
  return lines;
}

export function writeBenchReport(report: BenchReport, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
