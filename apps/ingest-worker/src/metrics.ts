import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from "@fluxnotify/shared/metrics";

export type IngestOutcome =
  | "routed"
  | "no_channels"
  | "duplicate"
  | "unknown_type"
  | "parked"
  | "released"
  | "dead_lettered";

export function createIngestMetrics(registry: Registry) {
  return {
    events: new Counter({
      name: "ingest_events_total",
      help: "FluxPay events by type and outcome",
      labelNames: ["type", "outcome"] as const,
      registers: [registry],
    }),
    notifications: new Counter({
      name: "ingest_notifications_total",
      help: "Notifications created, by channel and initial status (PENDING or SKIPPED)",
      labelNames: ["channel", "status"] as const,
      registers: [registry],
    }),
    eventToPublished: new Histogram({
      name: "ingest_event_to_commands_seconds",
      help: "From the event's time to its commands being acknowledged by Kafka",
      buckets: [...LATENCY_BUCKETS, 60, 300, 900],
      registers: [registry],
    }),
    parked: new Gauge({
      name: "ingest_parked_events",
      help: "Events waiting for their recipient mapping",
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
