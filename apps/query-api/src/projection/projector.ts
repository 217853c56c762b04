import type { Database } from "@fluxnotify/db";
import {
  applyProjectionBatch,
  type ProjectionRow,
  STATUS_RANK,
  type TimelineRow,
  tenantTimeZones,
} from "@fluxnotify/db/queries/read-model";
import { type DeliveryEvent, parseDeliveryEvent } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage, PoisonFailure } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, perRegistry } from "@fluxnotify/shared/metrics";
import { isIanaTimeZone } from "../time-zone";

export interface ProjectionMetrics {
  records: Counter<"outcome">;
  rowsChanged: Counter;
  lastEventAge: Gauge;
  eventDelay: Histogram;
}

/** Created once per registry (a test may run two projections on one registry). */
export const projectionMetrics = perRegistry((registry): ProjectionMetrics => {
  const metrics: ProjectionMetrics = {
    records: new Counter({
      name: "projection_records_total",
      help: "Delivery-event records read by the projection, by outcome (projected, invalid)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    rowsChanged: new Counter({
      name: "projection_rows_changed_total",
      help: "notification_log rows inserted or moved to a higher status",
      registers: [registry],
    }),
    lastEventAge: new Gauge({
      name: "projection_last_event_age_seconds",
      help: "Age of the newest status change in the last applied batch (read-model staleness)",
      registers: [registry],
    }),
    // The gauge says how stale the read model is now; this says how late it usually is (p95
    // over time), which a gauge sampled every 15 s cannot.
    eventDelay: new Histogram({
      name: "projection_event_delay_seconds",
      help: "From a status change's time (the event's `at`) to its being applied to the read model",
      buckets: [...LATENCY_BUCKETS, 60, 300, 900],
      registers: [registry],
    }),
  };
  return metrics;
});

export interface ProjectorDeps {
  db: Database;
  logger: Logger;
  metrics: ProjectionMetrics;
  defaultTimeZone: string;
  /** Where records the read model cannot take go (see dead-letter.ts); without it they are skipped. */
  deadLetter?: (message: ConsumedMessage, failure: PoisonFailure) => Promise<void>;
}

/** Whether the database would let `event` replace `kept` (applyProjectionBatch's rule). */
function supersedes(event: DeliveryEvent, kept: DeliveryEvent): boolean {
  if (STATUS_RANK[event.status] !== STATUS_RANK[kept.status]) {
    return STATUS_RANK[event.status] > STATUS_RANK[kept.status];
  }
  return event.status === "PENDING" && Date.parse(event.at) > Date.parse(kept.at);
}

/**
 * Several events of one notification in a batch become one row: the highest-ranked, the
 * first of equal rank (what the database would keep, since equal rank is not an upgrade),
 * except that a later PENDING (the next retry) replaces an earlier one.
 */
export function collapseEvents(events: DeliveryEvent[]): DeliveryEvent[] {
  const byId = new Map<string, DeliveryEvent>();
  for (const event of events) {
    const kept = byId.get(event.notificationId);
    if (!kept || supersedes(event, kept)) byId.set(event.notificationId, event);
  }
  return [...byId.values()];
}

/** Every event of the batch, for the timeline (the unique key drops what it already holds). */
function toTimelineRow(event: DeliveryEvent): TimelineRow {
  return {
    notificationId: event.notificationId,
    status: event.status,
    statusAt: event.at,
    attempts: event.attempts ?? null,
    reasonCode: event.reasonCode ?? null,
    errorMessage: event.errorMessage ?? null,
    latencyMs: event.latencyMs ?? null,
  };
}

function toRow(event: DeliveryEvent, timeZone: string): ProjectionRow {
  return {
    notificationId: event.notificationId,
    tenantId: event.tenantId,
    eventId: event.eventId,
    eventType: event.eventType,
    userId: event.userId,
    channel: event.channel,
    status: event.status,
    recipient: event.recipient,
    reasonCode: event.reasonCode ?? null,
    errorMessage: event.errorMessage ?? null,
    attempts: event.attempts ?? null,
    providerMessageId: event.providerMessageId ?? null,
    sentAt: event.status === "SENT" ? event.at : null,
    statusAt: event.at,
    createdAt: event.createdAt,
    timeZone,
  };
}

/** Batch handler for the consumer runner: parse → collapse (log) + every event (timeline) → one transaction. */
export function createProjector(deps: ProjectorDeps) {
  const { db, logger, metrics } = deps;

  // Tenants' zones change rarely and every batch needs them: kept for a minute, so a batch
  // of known tenants costs no query (a changed zone applies to batches after that minute).
  const zoneCache = new Map<string, { zone: string | undefined; until: number }>();
  async function configuredZones(tenantIds: string[]): Promise<Map<string, string | undefined>> {
    const now = Date.now();
    const result = new Map<string, string | undefined>();
    const missing: string[] = [];
    for (const tenantId of tenantIds) {
      const cached = zoneCache.get(tenantId);
      if (cached && cached.until > now) result.set(tenantId, cached.zone);
      else missing.push(tenantId);
    }
    if (missing.length > 0) {
      const found = await tenantTimeZones(db, missing);
      for (const tenantId of missing) {
        const zone = found.get(tenantId);
        zoneCache.set(tenantId, { zone, until: now + 60_000 });
        result.set(tenantId, zone);
      }
    }
    return result;
  }

  async function zonesFor(events: DeliveryEvent[]): Promise<Map<string, string>> {
    const configured = await configuredZones([...new Set(events.map((e) => e.tenantId))]);
    const zones = new Map<string, string>();
    for (const event of events) {
      const zone = configured.get(event.tenantId);
      if (zone !== undefined && !isIanaTimeZone(zone)) {
        logger.warn({ tenantId: event.tenantId, zone }, "tenant time zone is invalid; using the default");
      }
      zones.set(event.tenantId, zone !== undefined && isIanaTimeZone(zone) ? zone : deps.defaultTimeZone);
    }
    return zones;
  }

  return async function project(messages: ConsumedMessage[]): Promise<void> {
    const events: DeliveryEvent[] = [];
    const invalid: Array<{ message: ConsumedMessage; reason: string }> = [];
    for (const message of messages) {
      const parsed = parseDeliveryEvent(message.value);
      if (parsed.ok) events.push(parsed.value);
      else invalid.push({ message, reason: parsed.reason });
    }
    if (events.length > 0) await apply(events);
    // Our own topic, written by our workers from validated data: a record that does not
    // parse is a producer bug no retry can fix, and blocking on it would freeze the read
    // model for every tenant. It is dead-lettered once the rest of the batch is applied
    // (so a retried batch does not dead-letter it twice), and counted.
    for (const { message, reason } of invalid) {
      logger.error(
        { topic: message.topic, partition: message.partition, offset: String(message.offset), reason },
        deps.deadLetter ? "dead-lettering invalid delivery event" : "skipping invalid delivery event",
      );
      await deps.deadLetter?.(message, { code: "INVALID_DELIVERY_EVENT", reason });
      metrics.records.inc({ outcome: "invalid" });
    }
  };

  async function apply(events: DeliveryEvent[]): Promise<void> {
    const zones = await zonesFor(events);
    const rows = collapseEvents(events).map((e) => toRow(e, zones.get(e.tenantId) ?? deps.defaultTimeZone));
    const result = await applyProjectionBatch(db, rows, events.map(toTimelineRow));
    metrics.records.inc({ outcome: "projected" }, events.length);
    metrics.rowsChanged.inc(result.changed);
    const now = Date.now();
    let newest = Number.NEGATIVE_INFINITY;
    for (const event of events) {
      const at = Date.parse(event.at);
      if (Number.isNaN(at)) continue;
      newest = Math.max(newest, at);
      metrics.eventDelay.observe(Math.max(0, (now - at) / 1000));
    }
    if (Number.isFinite(newest)) metrics.lastEventAge.set(Math.max(0, (now - newest) / 1000));
  }
}
