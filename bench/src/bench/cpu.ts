import { readdirSync, readFileSync } from "node:fs";

// USER_HZ: /proc reports CPU time in clock ticks of 1/100 s on Linux.
const TICKS_PER_SECOND = 100;
export const ticksPerSecond = TICKS_PER_SECOND;

/** utime + stime in ticks from a /proc stat file (a process's or one thread's), or undefined when it is gone. */
function statTicks(path: string): number | undefined {
  try {
    const stat = readFileSync(path, "utf8");
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in ticks, or undefined when it is gone. */
export function ticksOf(pid: number): number | undefined {
  return statTicks(`/proc/${pid}/stat`);
}

/** The label of a JVM's compiler threads in a snapshot, beside the JVM's own. */
export const jitLabel = (name: string) => `${name}: JIT compiler threads`;

/**
 * utime + stime of a JVM's JIT compiler threads (C1/C2), in ticks: what a cold JVM spends
 * compiling rather than serving. Threads the JVM retired meanwhile take their ticks with them.
 */
function jitTicksOf(pid: number): number | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const task of tasks) {
    let name = "";
    try {
      name = readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8");
    } catch {
      // thread ended meanwhile
    }
    if (/^C[12] CompilerThre/.test(name)) ticks += statTicks(`/proc/${pid}/task/${task}/stat`) ?? 0;
  }
  return ticks;
}

function pidsNamed(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === command) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Busy and total ticks of the whole machine (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [cpu] = readFileSync("/proc/stat", "utf8").split("\n");
  const values = (cpu ?? "").split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuSnapshot {
  at: number;
  ticks: Map<string, number>;
  machine: { busy: number; total: number };
}

/**
 * CPU time of each named process (and of every process of the shared services, which
 * other users of the machine may load too), to see where the cores went during a run.
 */
export function cpuSnapshot(
  processes: Record<string, number | undefined>,
  jvms: Record<string, number | undefined> = {},
): CpuSnapshot {
  const ticks = new Map<string, number>();
  for (const [name, pid] of Object.entries(processes)) {
    const value = pid === undefined ? undefined : ticksOf(pid);
    if (value !== undefined) ticks.set(name, value);
  }
  // A part of its JVM's figure, listed beside it (never added to it).
  for (const [name, pid] of Object.entries(jvms)) {
    const value = pid === undefined ? undefined : jitTicksOf(pid);
    if (value !== undefined) ticks.set(jitLabel(name), value);
  }
  for (const [label, command] of [
    ["postgres (all databases)", "postgres"],
    ["redis-server (shared)", "redis-server"],
  ] as const) {
    ticks.set(
      label,
      pidsNamed(command).reduce((sum, pid) => sum + (ticksOf(pid) ?? 0), 0),
    );
  }
  return { at: Date.now(), ticks, machine: machineTicks() };
}

/** Cores used per process between two snapshots (1.0 = one core busy all the time). */
export function coresUsed(
  before: CpuSnapshot,
  after: CpuSnapshot,
): { perProcess: Record<string, number>; machine: number } {
  const seconds = (after.at - before.at) / 1000;
  const perProcess: Record<string, number> = {};
  for (const [name, end] of after.ticks) {
    const start = before.ticks.get(name);
    if (start === undefined || seconds <= 0) continue;
    // A shared service's process that exited meanwhile takes its ticks with it: never below 0.
    perProcess[name] = Math.max(0, Math.round(((end - start) / TICKS_PER_SECOND / seconds) * 100) / 100);
  }
  const total = after.machine.total - before.machine.total;
  const cores = readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length ?? 1;
  const machine =
    total > 0 ? Math.round(((after.machine.busy - before.machine.busy) / total) * cores * 100) / 100 : 0;
  return { perProcess, machine };
}
