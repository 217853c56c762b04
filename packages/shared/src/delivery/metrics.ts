import { Counter, Gauge, Histogram, LATENCY_BUCKETS, perRegistry } from "../metrics";

export interface DeliveryMetrics {
  sends: Counter<"channel" | "outcome">;
  attempts: Histogram<"channel" | "outcome">;
  sendSeconds: Histogram<"channel" | "provider" | "result">;
  retries: Counter<"channel" | "code">;
  breakerOpen: Gauge<"channel">;
  breakerTransitions: Counter<"channel" | "state">;
  duplicates: Counter<"channel">;
  deadLetters: Counter<"channel" | "code">;
}

/** One set per registry: a second runtime on the same registry (tests) shares the collectors. */
export const deliveryMetrics = perRegistry((registry): DeliveryMetrics => {
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
      // provider: the service a channel's send went to (ChannelStrategy.provider, or the one
      // a send chose: webpush or fcm), a handful per channel, never per recipient or host.
      help: "Duration of one provider call, by channel, provider and result (ok, error)",
      labelNames: ["channel", "provider", "result"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    retries: new Counter({
      name: "delivery_retries_total",
      help: "Retries scheduled after a failed send, by channel and the failure's classification code (provider-down waits are not retries)",
      labelNames: ["channel", "code"],
      registers,
    }),
    breakerOpen: new Gauge({
      name: "delivery_breaker_open",
      help: "1 while the provider circuit breaker is open (consumption paused)",
      labelNames: ["channel"],
      registers,
    }),
    breakerTransitions: new Counter({
      name: "delivery_breaker_transitions_total",
      help: "Circuit breaker state changes, by channel and the state entered (open, closed)",
      labelNames: ["channel", "state"],
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
  return metrics;
});
