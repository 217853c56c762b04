import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type AppName, type ProcessSpec, REPO_ROOT } from "./apps";
import { callerEnv } from "./env";
import { answersReady, assertPortsFree } from "./probe";

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface SupervisorOptions<N extends string> {
  /** Each process's stdout+stderr go to `<logDir>/<name>.log` (appended across restarts). */
  logDir?: string;
  /** Every output line, as it arrives. */
  onLine?: (name: N, line: string) => void;
  /** Called on every exit; `expected` is false unless kill()/stop() asked for it. */
  onExit?: (name: N, exit: ExitInfo, expected: boolean) => void;
  /**
   * Environment under the specs' own variables. Default: this process's environment without
   * the platform's configuration variables, so a shell's DATABASE_URL cannot leak into a harness.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /** How long stop() waits after SIGTERM before SIGKILL (default 30 s). */
  stopTimeoutMs?: number;
}

export interface RunningPlatform<N extends string = AppName> {
  readonly apps: ProcessSpec<N>[];
  /** Polls each readyUrl until it answers 2xx; fails early when a process has exited. */
  waitReady(names?: N[], timeoutMs?: number): Promise<void>;
  pid(name: N): number | undefined;
  /** Signals the process group; resolves when the process has exited (at once if not running). */
  kill(name: N, signal: NodeJS.Signals): Promise<ExitInfo>;
  /** (Re)starts one process; does not wait for readiness. */
  start(name: N): Promise<void>;
  /** kill (SIGTERM by default) + start + waitReady. */
  restart(name: N, signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM to all, SIGKILL after the deadline; resolves when every process has exited. */
  stop(): Promise<void>;
  /** The last `lines` lines a process printed (kept in memory), for failure messages. */
  tail(name: N, lines?: number): string[];
  logFile(name: N): string | undefined;
}

// Variables the platform configures per app: never inherited from the caller's shell.
const CONFIG_VARIABLE =
  /^(KAFKA_|DATABASE_|REDIS_|PUBSUB_REDIS_|SMTP_|MAIL_FROM$|SLACK_|PUSH_|VAPID_|FCM_|AUTH_|PORT$|HEALTH_PORT$|HTTP_|INGEST_|LOG_LEVEL$|COMMAND_TOPIC$|CONSUMER_GROUP$)/;

export function cleanEnv(source: NodeJS.ProcessEnv = callerEnv()): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(source).filter(([name]) => !CONFIG_VARIABLE.test(name)));
}

interface Slot {
  child?: ChildProcess;
  exited?: Promise<ExitInfo>;
  expectingExit: boolean;
  tail: string[];
  log?: WriteStream;
}

const TAIL_LINES = 200;

function lineSplitter(onLine: (line: string) => void) {
  let buffered = "";
  return (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  };
}

/**
 * Runs each spec as its own OS process in its own process group (so a terminal's Ctrl-C
 * reaches only the caller, which then sends exactly one SIGTERM: a second one would make
 * the apps skip their graceful drain). Unexpected exits are reported, never fatal here.
 */
export async function startPlatform<N extends string = AppName>(
  specs: ProcessSpec<N>[],
  options: SupervisorOptions<N> = {},
): Promise<RunningPlatform<N>> {
  const slots = new Map<N, Slot>(specs.map((spec) => [spec.name, { expectingExit: false, tail: [] }]));
  const baseEnv = options.baseEnv ?? cleanEnv();
  if (options.logDir) mkdirSync(options.logDir, { recursive: true });

  const specOf = (name: N) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown process ${name}`);
    return spec;
  };
  const slotOf = (name: N) => slots.get(name) as Slot;
  const running = (slot: Slot) =>
    slot.child !== undefined && slot.child.exitCode === null && !slot.child.signalCode;

  const record = (name: N, slot: Slot, line: string) => {
    slot.tail.push(line);
    if (slot.tail.length > TAIL_LINES) slot.tail.splice(0, slot.tail.length - TAIL_LINES);
    slot.log?.write(`${line}\n`);
    options.onLine?.(name, line);
  };

  const start = async (name: N) => {
    const spec = specOf(name);
    const slot = slotOf(name);
    if (running(slot)) throw new Error(`${name} is already running (pid ${slot.child?.pid})`);
    if (options.logDir && !slot.log)
      slot.log = createWriteStream(join(options.logDir, `${name}.log`), { flags: "a" });
    const [command, ...args] = spec.command;
    if (!command) throw new Error(`${name} has an empty command`);
    const child = spawn(command, args, {
      cwd: spec.cwd ?? REPO_ROOT,
      env: { ...baseEnv, ...spec.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    slot.child = child;
    slot.expectingExit = false;
    const onLine = lineSplitter((line) => record(name, slot, line));
    child.stdout?.on("data", onLine);
    child.stderr?.on("data", onLine);
    slot.exited = new Promise<ExitInfo>((resolve) => {
      child.on("error", (error) => record(name, slot, `spawn failed: ${error.message}`));
      child.on("close", (code, signal) => {
        const exit = { code, signal };
        const expected = slot.expectingExit;
        if (!expected) record(name, slot, `[supervisor] ${name} exited unexpectedly (${signal ?? code})`);
        options.onExit?.(name, exit, expected);
        resolve(exit);
      });
    });
  };

  const kill = async (name: N, signal: NodeJS.Signals): Promise<ExitInfo> => {
    const slot = slotOf(name);
    const child = slot.child;
    if (!child || !slot.exited) return { code: null, signal: null };
    if (running(slot) && child.pid !== undefined) {
      slot.expectingExit = true;
      try {
        process.kill(-child.pid, signal); // the whole group: nothing the app spawned outlives it
      } catch {
        child.kill(signal);
      }
    }
    return await slot.exited;
  };

  const waitReady = async (names: N[] = specs.map((s) => s.name), timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(
      names.map(async (name) => {
        const url = specOf(name).readyUrl;
        if (!url) return;
        for (;;) {
          if (await answersReady(url)) return;
          if (!running(slotOf(name)))
            throw new Error(
              `${name} is not running; last output:\n${slotOf(name).tail.slice(-20).join("\n")}`,
            );
          if (Date.now() > deadline)
            throw new Error(
              `${name} not ready within ${timeoutMs} ms (${url}); last output:\n${slotOf(name).tail.slice(-20).join("\n")}`,
            );
          await sleep(200);
        }
      }),
    );
  };

  const stop = async () => {
    const timeoutMs = options.stopTimeoutMs ?? 30_000;
    await Promise.all(
      specs.map(async ({ name }) => {
        const slot = slotOf(name);
        if (!running(slot)) return;
        const exited = kill(name, "SIGTERM");
        const timer = setTimeout(() => {
          record(name, slot, `[supervisor] ${name} did not stop within ${timeoutMs} ms; killing it`);
          void kill(name, "SIGKILL");
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    await Promise.all(
      [...slots.values()].map(
        (slot) => new Promise<void>((resolve) => (slot.log ? slot.log.end(resolve) : resolve())),
      ),
    );
    for (const slot of slots.values()) slot.log = undefined;
    process.off("exit", killAll);
  };

  await assertPortsFree(specs);
  // Children live in their own process groups, so nothing else would stop them if this
  // process ended without stop() (a crash, process.exit in a test runner): take them along.
  const killAll = () => {
    for (const slot of slots.values()) {
      if (slot.child?.pid !== undefined && running(slot)) {
        try {
          process.kill(-slot.child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  };
  process.once("exit", killAll);
  for (const spec of specs) await start(spec.name);
  return {
    apps: specs,
    waitReady,
    pid: (name) => (running(slotOf(name)) ? slotOf(name).child?.pid : undefined),
    kill,
    start,
    async restart(name, signal = "SIGTERM") {
      await kill(name, signal);
      await start(name);
      await waitReady([name]);
    },
    stop,
    tail: (name, lines = 50) => slotOf(name).tail.slice(-lines),
    logFile: (name) => (options.logDir ? join(options.logDir, `${name}.log`) : undefined),
  };
}
