import type { Logger } from "../logger";

export type BreakerState = "closed" | "open";

export interface CircuitBreaker {
  readonly state: BreakerState;
  /** Opens the breaker (idempotent) and starts probing. */
  open(reason: string): void;
  /** Resolves at once while closed, otherwise when a probe succeeds; rejects on abort. */
  whenClosed(signal: AbortSignal): Promise<void>;
  stop(): void;
}

/**
 * Open = the provider is down altogether: stop consuming, keep the backlog in Kafka, probe
 * every `probeIntervalMs`, and close (resume) on the first successful probe.
 */
export function createCircuitBreaker(options: {
  probe: () => Promise<void>;
  probeIntervalMs: number;
  logger: Logger;
  onOpen: () => void;
  onClose: () => void;
}): CircuitBreaker {
  let state: BreakerState = "closed";
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let waiters: Array<() => void> = [];
  let openedAt = 0;

  const close = () => {
    state = "closed";
    options.logger.info({ outageMs: Date.now() - openedAt }, "provider is back; circuit breaker closed");
    options.onClose();
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  };

  const scheduleProbe = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await options.probe();
        close();
      } catch (error) {
        options.logger.debug({ err: error }, "provider probe failed; breaker stays open");
        scheduleProbe();
      }
    }, options.probeIntervalMs);
  };

  return {
    get state() {
      return state;
    },
    open(reason) {
      if (state === "open" || stopped) return;
      state = "open";
      openedAt = Date.now();
      options.logger.warn({ reason }, "provider down; circuit breaker open, consumption paused");
      options.onOpen();
      scheduleProbe();
    },
    whenClosed(signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (state === "closed") return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        waiters.push(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
