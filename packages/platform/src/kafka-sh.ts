import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
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
