import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { waitForKafka } from "@fluxnotify/shared/kafka";
import { REPO_ROOT } from "./apps";
import { callerEnv } from "./env";

const KAFKA_SCRIPT = join(REPO_ROOT, "infra/kafka/kafka.sh");

/** Runs `infra/kafka/kafka.sh <args>` with `env` over the caller's; resolves with its output. */
export function kafkaSh(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [KAFKA_SCRIPT, ...args],
      { cwd: REPO_ROOT, env: { ...callerEnv(), ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`kafka.sh ${args.join(" ")} failed:\n${stdout}${stderr}`, { cause: error }));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** The synchronous form, for a process "exit" handler (nothing asynchronous runs there). */
export function kafkaShSync(args: string[], env: Record<string, string>): void {
  execFileSync("bash", [KAFKA_SCRIPT, ...args], { env: { ...callerEnv(), ...env }, stdio: "ignore" });
}

/**
 * Start, stop and restart of what kafka.sh runs with `env` (one node or a cluster): start
 * waits until `brokers` answer metadata; with `stopOnExit`, this process's exit stops it too
 * (kafka.sh runs the JVMs in their own session, so nothing else would).
 */
export function kafkaShLifecycle(
  env: Record<string, string>,
  options: { brokers: string[]; clientId: string; stopOnExit?: boolean | undefined },
) {
  const stopNow = () => kafkaShSync(["stop"], env);
  const start = async (reset = false) => {
    await kafkaSh(["start"], { ...env, KAFKA_RESET: reset ? "1" : "0" });
    if (options.stopOnExit) {
      process.off("exit", stopNow);
      process.once("exit", stopNow);
    }
    await waitForKafka({ brokers: options.brokers, clientId: options.clientId }, 60_000);
  };
  const stop = async () => {
    process.off("exit", stopNow);
    await kafkaSh(["stop"], env);
  };
  return {
    start,
    stop,
    async restart() {
      await stop();
      await start(false);
    },
  };
}
