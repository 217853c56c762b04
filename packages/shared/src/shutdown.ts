import type { Logger } from "./logger";

type Handler = { name: string; run: () => Promise<void> | void };

/**
 * Runs registered teardown steps once, in reverse order of registration (like `defer`): a
 * composition root registers clients before the consumers that use them, so consumers
 * drain before the clients they need are closed. The whole sequence has one deadline; a
 * second signal, or the deadline passing, exits at once with a non-zero code.
 */
export class ShutdownManager {
  readonly #handlers: Handler[] = [];
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  #running: Promise<void> | undefined;

  constructor(options: { logger: Logger; timeoutMs: number }) {
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs;
  }

  get isShuttingDown(): boolean {
    return this.#running !== undefined;
  }

  register(name: string, run: Handler["run"]): void {
    this.#handlers.push({ name, run });
  }

  /** Installs SIGTERM/SIGINT handlers that shut down and exit the process. */
  listen(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.#running) {
        this.#logger.warn({ signal }, "second signal during shutdown, exiting now");
        exit(1);
        return;
      }
      this.#logger.info({ signal }, "shutting down");
      void this.shutdown().then(
        () => exit(0),
        () => exit(1),
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }

  shutdown(): Promise<void> {
    this.#running ??= this.#runAll();
    return this.#running;
  }

  async #runAll(): Promise<void> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`shutdown exceeded ${this.#timeoutMs} ms`)), this.#timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.#runHandlers(), deadline]);
      this.#logger.info({ durationMs: Date.now() - started }, "shutdown complete");
    } catch (error) {
      this.#logger.error({ err: error }, "shutdown did not complete cleanly");
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #runHandlers(): Promise<void> {
    let failed = false;
    for (const handler of [...this.#handlers].reverse()) {
      try {
        await handler.run();
        this.#logger.debug({ step: handler.name }, "shutdown step done");
      } catch (error) {
        failed = true;
        this.#logger.error({ err: error, step: handler.name }, "shutdown step failed");
      }
    }
    if (failed) throw new Error("one or more shutdown steps failed");
  }
}
