import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** One registry per process (never prom-client's global one), labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // The event-loop-delay histogram samples with a timer: 10 ms (the default) wakes every
  // idle process 100 times a second for a metric read every 15 s; 100 ms is plenty.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}

/** Buckets for work measured in seconds, from a fast cache hit to a slow SMTP round trip. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * A metrics set created once per registry and shared after that: prom-client refuses a
 * second collector of the same name on one registry, and a process (or a test) may build
 * several runners, runtimes or strategies on the same one.
 */
export function perRegistry<T>(create: (registry: Registry) => T): (registry: Registry) => T {
  const cache = new WeakMap<Registry, T>();
  return (registry) => {
    let metrics = cache.get(registry);
    if (metrics === undefined) {
      metrics = create(registry);
      cache.set(registry, metrics);
    }
    return metrics;
  };
}
