import { EventEmitter } from "node:events";
import type { Database } from "@fluxnotify/db";
import type { InboxItemsClient } from "@fluxnotify/db/queries/inbox";
import { deliveryMetrics } from "@fluxnotify/shared/delivery";
import { observeRequests } from "@fluxnotify/shared/http";
import { kafkaMetrics } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import type { Redis } from "@fluxnotify/shared/redis";
import { createProxy } from "../../../apps/console/src/server/proxy";
import { dlqMetrics, pendingGauge } from "../../../apps/dlq-admin/src/metrics";
import { createIngestMetrics } from "../../../apps/ingest-worker/src/metrics";
import { pushMetrics } from "../../../apps/push-worker/src/metrics";
import { createStreamHub } from "../../../apps/query-api/src/inbox/hub";
import type { StreamSlots } from "../../../apps/query-api/src/inbox/slots";
import { projectionMetrics } from "../../../apps/query-api/src/projection/projector";
import { scrapedNames } from "./promql";

/** Series Prometheus itself adds to every target's scrape. */
const SCRAPE_SERIES = ["up", "scrape_duration_seconds", "scrape_samples_scraped"];

/**
 * Every metric name a FluxNotify process can expose, read from real collectors: each app's
 * metric sets built on one fresh registry (with the default process metrics every registry
 * gets), as the apps build them. Nothing queries or listens: the stand-ins below are only
 * what the constructors touch.
 */
export async function exportedMetricNames(): Promise<Set<string>> {
  const registry = createMetricsRegistry("catalogue");
  const logger = createLogger({ name: "catalogue", level: "silent" });
  kafkaMetrics(registry);
  deliveryMetrics(registry);
  createIngestMetrics(registry);
  dlqMetrics(registry);
  // Its gauges are created with it; a query runs only on refresh(), never called here.
  pendingGauge({ db: {} as Database, registry, logger });
  projectionMetrics(registry);
  pushMetrics(registry);
  observeRequests({ logger, registry, securityHeaders: {}, routeOf: () => "", quiet: () => true });
  createProxy({
    route: () => undefined,
    timeoutMs: 1,
    connectTimeoutMs: 1,
    idleTimeoutMs: 1,
    logger,
    registry,
  });
  const hub = createStreamHub({
    subscriber: Object.assign(new EventEmitter(), { status: "ready" }) as unknown as Redis,
    sql: {} as InboxItemsClient,
    slots: {} as StreamSlots,
    channelPrefix: "catalogue",
    logger,
    registry,
    heartbeatMs: 25_000,
    maxBufferedBytes: 1,
    replayMax: 1,
    reconnectMs: { min: 1, max: 2 },
  });
  await hub.close();
  const metrics = await registry.getMetricsAsJSON();
  // prom-client types `type` as an enum, but its values are the exposition format's words.
  const names = metrics.flatMap((metric) => scrapedNames({ name: metric.name, type: String(metric.type) }));
  return new Set([...names, ...SCRAPE_SERIES]);
}
