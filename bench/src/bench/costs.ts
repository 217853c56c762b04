import type { PipelineResult } from "./run";

export interface StageCost {
  stage: string;
  /** What one unit of work is for this stage. */
  unit: string;
  units: number;
  /** CPU milliseconds per unit, measured over the whole run (startup included). */
  cpuMsPerUnit: number;
  /** Units per second one fully busy core would sustain at that cost. */
  perCorePerSecond: number;
}

/**
 * CPU per unit of work for each stage: cores used × run time ÷ the units the stage handled
 * (from the ledger). Turns "the machine is saturated" into which stage costs what, and so
 * what a stage could sustain with a core of its own.
 */
export function stageCosts(p: PipelineResult): StageCost[] {
  const l = p.ledger;
  const channelWork = (c: keyof typeof l.byChannel) => l.byChannel[c].sent + l.byChannel[c].deadLettered;
  // Per notification, not per delivery event: how many events a notification costs is one
  // of the things being optimised.
  const units: Array<[string, string, number]> = [
    ["ingest-worker", "event", p.events],
    ["email-worker", "email", channelWork("EMAIL")],
    ["slack-worker", "Slack post", channelWork("SLACK")],
    ["inapp-worker", "in-app message", channelWork("IN_APP")],
    ["query-api", "notification projected", l.expected],
    ["kafka broker", "notification", l.expected],
    ["postgres (all databases)", "notification", l.expected],
    ["whole machine", "notification", l.expected],
  ];
  // A scaled app's processes (email-worker, email-worker-2, …) count together.
  const coresOf = (stage: string) => {
    if (stage === "whole machine") return p.cpu.machine;
    const instances = Object.entries(p.cpu.perProcess).filter(
      ([name]) => name === stage || new RegExp(`^${stage}-\\d+$`).test(name),
    );
    return instances.length === 0 ? undefined : instances.reduce((sum, [, cores]) => sum + cores, 0);
  };
  return units.flatMap(([stage, unit, count]) => {
    const cores = coresOf(stage);
    if (cores === undefined || count === 0) return [];
    const cpuMsPerUnit = (cores * p.endToEndSeconds * 1000) / count;
    return [
      {
        stage,
        unit,
        units: count,
        cpuMsPerUnit: Math.round(cpuMsPerUnit * 100) / 100,
        perCorePerSecond: cpuMsPerUnit > 0 ? Math.round(1000 / cpuMsPerUnit) : 0,
      },
    ];
  });
}
