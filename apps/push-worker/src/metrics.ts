import { Counter, type Registry } from "@fluxnotify/shared/metrics";

export interface PushMetrics {
  removed: Counter<"type" | "code">;
}

const cache = new WeakMap<Registry, PushMetrics>();

/** One set per registry (a test may build two strategies on one registry). */
export function pushMetrics(registry: Registry): PushMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const metrics: PushMetrics = {
    removed: new Counter({
      name: "push_subscriptions_removed_total",
      help: "Push subscriptions deleted because their push service reported them gone, by type (webpush, fcm) and code (PUSH_SUBSCRIPTION_GONE: 404/410, PUSH_FCM_UNREGISTERED)",
      labelNames: ["type", "code"],
      registers: [registry],
    }),
  };
  cache.set(registry, metrics);
  return metrics;
}
