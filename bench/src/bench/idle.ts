import { setTimeout as sleep } from "node:timers/promises";
import { APP_NAMES } from "@fluxnotify/platform";
import type { Harness } from "../harness/platform";
import { cpuSnapshot, ticksPerSecond } from "./cpu";
import { memoryOf } from "./samplers";

export interface IdleReport {
  seconds: number;
  /** Percent of one core used while nothing happened, per process. */
  percentOfCore: Record<string, number>;
  /** The six apps together. */
  appsPercent: number;
  brokerPercent: number;
  rssMiB: Record<string, number>;
}

/**
 * The platform doing nothing: every app ready, no traffic, for `seconds`. What each process
 * spends then is pure overhead (polling, timers, heartbeats), paid on every machine all day.
 */
export async function measureIdle(
  harness: Harness,
  seconds: number,
  log: (line: string) => void,
): Promise<IdleReport> {
  // Startup work (joins, metadata, JIT) settles first.
  await sleep(15_000);
  const processes = () => ({
    ...Object.fromEntries(APP_NAMES.map((app) => [app, harness.platform.pid(app)])),
    "kafka broker": harness.broker.pid(),
  });
  log(`measuring ${seconds} s of idle`);
  const before = cpuSnapshot(processes());
  await sleep(seconds * 1000);
  const after = cpuSnapshot(processes());
  const elapsed = (after.at - before.at) / 1000;
  const percentOfCore: Record<string, number> = {};
  for (const [name, end] of after.ticks) {
    const start = before.ticks.get(name);
    if (start === undefined) continue;
    percentOfCore[name] = Math.round(((end - start) / ticksPerSecond / elapsed) * 100 * 100) / 100;
  }
  const rssMiB = Object.fromEntries(
    APP_NAMES.map((app) => [app, memoryOf(harness.platform.pid(app))?.rssMiB ?? 0]),
  );
  const appsPercent = APP_NAMES.reduce((sum, app) => sum + (percentOfCore[app] ?? 0), 0);
  return {
    seconds: Math.round(elapsed),
    percentOfCore,
    appsPercent: Math.round(appsPercent * 100) / 100,
    brokerPercent: percentOfCore["kafka broker"] ?? 0,
    rssMiB,
  };
}
