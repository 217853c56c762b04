import { Counter, perRegistry } from "@fluxnotify/shared/metrics";

export interface PushMetrics {
  removed: Counter<"type" | "code">;
}

/** One set per registry (a test may build two strategies on one registry). */
export const pushMetrics = perRegistry((registry): PushMetrics => {
  const metrics: PushMetrics = {
    removed: new Counter({
      name: "push_subscriptions_removed_total",
      help: "Push subscriptions deleted because their push service reported them gone, by type (webpush, fcm) and code (PUSH_SUBSCRIPTION_GONE: 404/410, PUSH_FCM_UNREGISTERED)",
      labelNames: ["type", "code"],
      registers: [registry],
    }),
  };
  return metrics;
});
