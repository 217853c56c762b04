import type { Database } from "@fluxnotify/db";
import { pendingCountsByDomain } from "@fluxnotify/db/queries/dlq";
import { DOMAINS } from "@fluxnotify/shared/contracts";
import type { Logger } from "@fluxnotify/shared/logger";
import { Counter, Gauge, type Registry } from "@fluxnotify/shared/metrics";

export interface DlqMetrics {
  stored: Counter<"domain" | "channel">;
  pending: Gauge<"domain">;
  replays: Counter<"domain" | "mode">;
  discards: Counter<"domain">;
  resolved: Counter<"domain">;
}

export function dlqMetrics(registry: Registry): DlqMetrics {
  const registers = [registry];
  return {
    stored: new Counter({
      name: "dlq_messages_stored_total",
      help: "Dead letters stored (first time seen), by domain and failed channel",
      labelNames: ["domain", "channel"],
      registers,
    }),
    pending: new Gauge({
      name: "dlq_messages_pending",
      help: "Dead letters waiting for an operator decision, by domain",
      labelNames: ["domain"],
      registers,
    }),
    replays: new Counter({
      name: "dlq_replays_total",
      help: "Dead letters replayed to a topic our consumers read",
      labelNames: ["domain", "mode"],
      registers,
    }),
    discards: new Counter({
      name: "dlq_discards_total",
      help: "Dead letters discarded by an operator",
      labelNames: ["domain"],
      registers,
    }),
    resolved: new Counter({
      name: "dlq_resolved_total",
      help: "Replayed dead letters whose replay was delivered",
      labelNames: ["domain"],
      registers,
    }),
  };
}

export interface PendingGauge {
  /** Schedules a refresh; calls made while one runs coalesce into one more. */
  refresh(): Promise<void>;
  start(intervalMs: number): void;
  stop(): void;
}

/** Keeps the pending gauge current: after every change and periodically (other replicas change it too). */
export function pendingGauge(options: { db: Database; metrics: DlqMetrics; logger: Logger }): PendingGauge {
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const load = async () => {
    try {
      const counts = await pendingCountsByDomain(options.db);
      for (const domain of new Set<string>([...DOMAINS, ...counts.keys()])) {
        options.metrics.pending.set({ domain }, counts.get(domain) ?? 0);
      }
    } catch (error) {
      options.logger.warn({ err: error }, "could not refresh the pending dead-letter gauge");
    }
  };
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = load().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void refresh();
      }
    });
    return running;
  };
  return {
    refresh,
    start(intervalMs) {
      timer = setInterval(() => void refresh(), intervalMs);
      timer.unref();
      void refresh();
    },
    stop: () => clearInterval(timer),
  };
}
