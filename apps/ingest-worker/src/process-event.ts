import type { Database } from "@fluxnotify/db";
import { claimEvent, releaseClaim, setEventOutcome } from "@fluxnotify/db/queries/ingest";
import { loadUserSettings } from "@fluxnotify/db/settings-lookup";
import {
  type CloudEvent,
  commandRecord,
  type Domain,
  deliveryEventRecord,
  type EventData,
  type EventType,
  replayHeadersOf,
} from "@fluxnotify/shared/contracts";
import type { OutgoingMessage } from "@fluxnotify/shared/kafka";
import type { SourceRecord } from "./dead-letter";
import type { IngestDeps } from "./deps";
import { planNotifications } from "./notifications";
import { learnMappings, resolveRecipient } from "./recipients";

export interface ValidEvent {
  event: CloudEvent;
  type: EventType;
  data: EventData;
  domain: Domain;
  record: SourceRecord;
}

export type ProcessResult =
  | { outcome: "routed" | "no_channels" | "duplicate"; releasable: string[] }
  | { outcome: "waiting"; waitingFor: string; reason: string; releasable: string[] };

/** W3C traceparent's trace id when the producer sent one, else the event id. */
function traceIdOf(record: SourceRecord, eventId: string): string {
  const traceparent = record.headers.traceparent ?? record.headers.ce_traceparent;
  return traceparent?.split("-")[1] ?? eventId;
}

/**
 * The idempotent core shared by fresh and released (formerly parked) events, in one
 * transaction: claim the event id (a duplicate stops here, even one handled concurrently
 * on another partition), learn mappings, find the recipient, publish commands + delivery
 * events, commit. A crash before the commit leaves the event unclaimed, so its redelivery
 * publishes again with the same deterministic notification ids, which downstream
 * deduplicates.
 */
export function processValidEvent(
  deps: IngestDeps,
  input: ValidEvent,
  /** Pass a transaction to nest (as a savepoint) inside it: one connection per event. */
  within: Database = deps.db,
): Promise<ProcessResult> {
  return within.transaction((tx) => processInTransaction(deps, tx as unknown as Database, input));
}

async function processInTransaction(
  deps: IngestDeps,
  tx: Database,
  input: ValidEvent,
): Promise<ProcessResult> {
  const { event, type, data } = input;
  const tenantId = event.tenantid;
  // Claimed as routed: the usual outcome, corrected below in the rare no-channel case.
  const claim = { eventId: event.id, tenantId, eventType: type, outcome: "routed" };
  if (!(await claimEvent(tx, claim))) return { outcome: "duplicate", releasable: [] };

  // The transaction commits on the waiting path too, so learned mappings always persist.
  const releasable = await learnMappings(tx, tenantId, type, data);
  const recipient = await resolveRecipient(tx, tenantId, data);
  if ("waitingFor" in recipient) {
    await releaseClaim(tx, event.id);
    return { outcome: "waiting", ...recipient, releasable };
  }

  const settings = await loadUserSettings(
    { ...deps, db: tx, ttlSeconds: deps.config.settingsCacheTtlSeconds },
    tenantId,
    recipient.userId,
  );
  const opsWebhookUrl = await deps.tenantWebhook(tx, tenantId);
  const plan = planNotifications({
    eventId: event.id,
    eventType: type,
    domain: input.domain,
    tenantId,
    userId: recipient.userId,
    occurredAt: (data as { occurredAt: string }).occurredAt,
    templateData: data as Record<string, unknown>,
    traceId: traceIdOf(input.record, event.id),
    settings,
    opsWebhookUrl,
    now: deps.now(),
  });
  const { commands: topics } = deps.config.topology;
  // A replayed record's outcome must reach dlq-admin: its id rides along on everything produced.
  const replay = replayHeadersOf(input.record.headers);
  const withReplay = (record: OutgoingMessage, topic: string) => ({
    ...record,
    topic,
    headers: { ...record.headers, ...replay },
  });
  await deps.producer.send([
    ...plan.commands.map((command) => withReplay(commandRecord(command), topics[command.channel])),
    ...plan.deliveryEvents.map((delivery) =>
      withReplay(deliveryEventRecord(delivery), deps.config.topology.deliveryEvents),
    ),
  ]);
  const outcome = plan.deliveryEvents.length === 0 ? "no_channels" : "routed";
  if (outcome !== "routed") await setEventOutcome(tx, event.id, outcome);

  for (const delivery of plan.deliveryEvents) {
    deps.metrics.notifications.inc({ channel: delivery.channel, status: delivery.status });
  }
  const eventTime = Date.parse(event.time ?? (data as { occurredAt: string }).occurredAt);
  if (!Number.isNaN(eventTime))
    deps.metrics.eventToPublished.observe((deps.now().getTime() - eventTime) / 1000);
  return { outcome, releasable };
}
