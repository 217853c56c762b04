import type { Database } from "@fluxnotify/db";
import { pendingBacklog } from "@fluxnotify/db/queries/dlq";
import { DOMAINS } from "@fluxnotify/shared/contracts";
import type { Logger } from "@fluxnotify/shared/logger";
import { Counter, Gauge, type Registry } from "@fluxnotify/shared/metrics";

export interface DlqMetrics {
  stored: Counter<"domain" | "channel">;
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

/**
 * Keeps the backlog gauges current: after every change and periodically (other replicas
 * change it too), one grouped query over the PENDING rows each time, however often Prometheus
 * scrapes. The age is computed at scrape time from the oldest failure time, so it keeps
 * growing between refreshes (and while the database cannot be read) instead of freezing.
 * A domain/channel pair seen once stays exported (at 0) so a drained backlog reads 0, not absent.
 */
export function pendingGauge(options: {
  db: Database;
  registry: Registry;
  logger: Logger;
  now?: () => number;
}): PendingGauge {
  const now = options.now ?? Date.now;
  const registers = [options.registry];
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const seen = new Map<string, { domain: string; channel: string }>();
  // Label pair key → when its oldest PENDING dead letter failed (epoch ms).
  let oldest = new Map<string, number>();
  for (const domain of DOMAINS) seen.set(`${domain}\0none`, { domain, channel: "none" });

  const pending = new Gauge({
    name: "dlq_messages_pending",
    help: "Dead letters waiting for an operator decision (PENDING), by domain and failed channel (none: not a channel's)",
    labelNames: ["domain", "channel"],
    registers,
  });
  // Registered for its scrape-time collect(); nothing sets it otherwise.
  new Gauge({
    name: "dlq_oldest_pending_age_seconds",
    help: "How long ago the oldest PENDING dead letter failed, by domain and failed channel (0: none pending)",
    labelNames: ["domain", "channel"],
    registers,
    // On every scrape, from the last refresh's oldest failure time.
    collect() {
      const at = now();
      for (const [key, labels] of seen) {
        const failedAt = oldest.get(key);
        this.set(labels, failedAt === undefined ? 0 : Math.max(0, (at - failedAt) / 1000));
      }
    },
  });
  const sync = (counts: Map<string, number>) => {
    for (const [key, labels] of seen) pending.set(labels, counts.get(key) ?? 0);
  };
  sync(new Map());

  const load = async () => {
    try {
      const rows = await pendingBacklog(options.db);
      const counts = new Map<string, number>();
      const next = new Map<string, number>();
      for (const row of rows) {
        const channel = row.channel ?? "none";
        const key = `${row.domain}\0${channel}`;
        seen.set(key, { domain: row.domain, channel });
        counts.set(key, row.pending);
        next.set(key, row.oldestFailedAt.getTime());
      }
      oldest = next;
      sync(counts);
    } catch (error) {
      options.logger.warn({ err: error }, "could not refresh the pending dead-letter gauges");
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
