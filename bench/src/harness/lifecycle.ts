import type { Harness } from "./platform";

/**
 * Stops the harness (apps, broker, sinks) once, whatever ends the script: Ctrl-C, SIGTERM,
 * or an error nothing caught. Without it a crash would leave the broker and apps running.
 */
export function stopHarnessOnExit(harness: () => Harness | undefined, log: (line: string) => void) {
  let stopping = false;
  const stopAndExit = (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping the platform and the broker`);
    void (harness()?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAndExit(130, signal));
  process.on("uncaughtException", (error) => {
    log(`fatal: ${error.stack ?? error.message}`);
    stopAndExit(1, "uncaught error");
  });
  process.on("unhandledRejection", (reason) => {
    log(`fatal: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    stopAndExit(1, "unhandled rejection");
  });
  return { interrupted: () => stopping };
}
