import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from "../metrics";

export interface DeliveryMetrics {
  sends: Counter<"channel" | "outcome">;
  attempts: Histogram<"channel" | "outcome">;
  sendSeconds: Histogram<"channel" | "result">;
  breakerOpen: Gauge<"channel">;
  duplicates: Counter<"channel">;
  deadLetters: Counter<"channel" | "code">;
}

const cache = new WeakMap<Registry, DeliveryMetrics>();

/** One set per registry: a second runtime on the same registry (tests) shares the collectors. */
export function deliveryMetrics(registry: Registry): DeliveryMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: DeliveryMetrics = {
    sends: new Counter({
      name: "delivery_sends_total",
      help: "Commands finished, by channel and outcome (sent, failed, skipped, duplicate)",
      labelNames: ["channel", "outcome"],
      registers,
    }),
    attempts: new Histogram({
      name: "delivery_attempts",
      help: "Send attempts a command needed, by final outcome",
      labelNames: ["channel", "outcome"],
      buckets: [1, 2, 3, 4, 5],
      registers,
    }),
    sendSeconds: new Histogram({
      name: "delivery_send_duration_seconds",
      help: "Duration of one provider call",
      labelNames: ["channel", "result"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    breakerOpen: new Gauge({
      name: "delivery_breaker_open",
      help: "1 while the provider circuit breaker is open (consumption paused)",
      labelNames: ["channel"],
      registers,
    }),
    duplicates: new Counter({
      name: "delivery_duplicates_total",
      help: "Commands skipped because their notification was already sent",
      labelNames: ["channel"],
      registers,
    }),
    deadLetters: new Counter({
      name: "delivery_dead_letters_total",
      help: "Commands dead-lettered, by error code",
      labelNames: ["channel", "code"],
      registers,
    }),
  };
  cache.set(registry, metrics);
  return metrics;
}
