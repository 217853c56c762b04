import {
  claimEvents,
  pairKey,
  releaseClaims,
  type SqlExecutor,
  setEventOutcomes,
} from "@fluxnotify/db/queries/ingest";
import { loadUserSettingsMany } from "@fluxnotify/db/settings-lookup";
import type { RecordPayload } from "@fluxnotify/shared/contracts";
import {
  type CloudEvent,
  commandPayload,
  type Domain,
  defaultSettings,
  deliveryEventPayload,
  type EventData,
  type EventType,
  replayHeadersOf,
  withReplayOutcomes,
} from "@fluxnotify/shared/contracts";
import type { OutgoingMessage } from "@fluxnotify/shared/kafka";
import type { SourceRecord } from "./dead-letter";
import type { IngestDeps } from "./deps";
import { type NotificationPlan, planNotifications } from "./notifications";
import { learnMappings, type Resolution, resolveRecipients } from "./recipients";
import { routeSpan } from "./trace";

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
 * The idempotent core for a batch of events (fresh ones, or parked ones being released),
 * inside the caller's transaction, in a fixed number of statements whatever the batch size:
 * claim the event ids (a duplicate stops here, even one handled concurrently on another
 * partition: its claim blocks until this transaction ends), learn mappings, find the
 * recipients, load their settings, publish all commands + delivery events in one produce
 * request and wait for the broker. The caller commits afterwards; a crash before that
 * leaves the events unclaimed, so their redelivery publishes again with the same
 * deterministic notification ids, which downstream deduplicates. Events whose recipient
 * is unknown yet come back as "waiting" with their claim released.
 */
export async function processEvents(
  deps: IngestDeps,
  tx: SqlExecutor,
  inputs: ValidEvent[],
): Promise<ProcessResult[]> {
  const claimed = await claimEvents(
    tx,
    inputs.map(({ event, type }) => ({
      eventId: event.id,
      tenantId: event.tenantid,
      eventType: type,
      outcome: "routed",
    })),
  );
  // A second copy of an event within the batch is a duplicate like any other.
  const fresh = inputs.filter(({ event }) => claimed.delete(event.id));
  const freshIndex = new Map(fresh.map((input, index) => [input, index]));
  const mappingInput = fresh.map(({ event, type, data }) => ({ tenantId: event.tenantid, type, data }));
  // The transaction commits on the waiting path too, so learned mappings always persist.
  const learned = await learnMappings(tx, mappingInput);
  const recipients = await resolveRecipients(tx, mappingInput);

  const waiting = fresh.filter(
    (_, index) => recipients[index] && "waitingFor" in (recipients[index] as Resolution),
  );
  await releaseClaims(
    tx,
    waiting.map(({ event }) => event.id),
  );
  const users = fresh.flatMap(({ event }, index) => {
    const recipient = recipients[index];
    return recipient && "userId" in recipient ? [[event.tenantid, recipient.userId] as [string, string]] : [];
  });
  const settings = await loadUserSettingsMany(
    { ...deps, sql: tx, ttlSeconds: deps.config.settingsCacheTtlSeconds },
    users,
  );

  const records: OutgoingMessage[] = [];
  const outcomes = new Map<ValidEvent, "routed" | "no_channels">();
  const created: Array<{ channel: string; status: "PENDING" | "SKIPPED" }> = [];
  for (const [index, input] of fresh.entries()) {
    const recipient = recipients[index];
    if (!recipient || !("userId" in recipient)) continue;
    const replay = replayHeadersOf(input.record.headers);
    const plan = planNotifications({
      eventId: input.event.id,
      eventType: input.type,
      domain: input.domain,
      tenantId: input.event.tenantid,
      userId: recipient.userId,
      occurredAt: (input.data as { occurredAt: string }).occurredAt,
      templateData: input.data as Record<string, unknown>,
      traceId: traceIdOf(input.record, input.event.id),
      settings: settings.get(pairKey(input.event.tenantid, recipient.userId)) ?? defaultSettings(),
      opsWebhookUrl: await deps.tenantWebhook(tx, input.event.tenantid),
      now: deps.now(),
      announcePending: Object.keys(replay).length > 0,
    });
    // The records continue this event's trace from its routing span, whatever trace the
    // batch's other events are in.
    const routed = routeSpan(input, plan);
    records.push(...recordsOf(deps, plan, replay).map((record) => ({ ...record, trace: routed })));
    outcomes.set(
      input,
      plan.commands.length === 0 && plan.deliveryEvents.length === 0 ? "no_channels" : "routed",
    );
    for (const command of plan.commands) created.push({ channel: command.channel, status: "PENDING" });
    for (const skipped of plan.deliveryEvents.filter((e) => e.status === "SKIPPED"))
      created.push({ channel: skipped.channel, status: "SKIPPED" });
  }
  if (records.length > 0) await deps.producer.send(records);
  for (const notification of created) deps.metrics.notifications.inc(notification);
  await setEventOutcomes(
    tx,
    [...outcomes].filter(([, outcome]) => outcome === "no_channels").map(([input]) => input.event.id),
    "no_channels",
  );
  observeLatency(deps, [...outcomes.keys()]);

  return inputs.map((input) => {
    const index = freshIndex.get(input);
    if (index === undefined) return { outcome: "duplicate", releasable: [] };
    const releasable = learned[index] ?? [];
    const recipient = recipients[index];
    if (recipient && "waitingFor" in recipient) return { outcome: "waiting", ...recipient, releasable };
    return { outcome: outcomes.get(input) ?? "routed", releasable };
  });
}

/** A replayed record's outcome must reach dlq-admin: its id rides along on everything produced. */
function recordsOf(
  deps: IngestDeps,
  plan: NotificationPlan,
  replay: Record<string, string>,
): OutgoingMessage[] {
  const { commands: topics, deliveryEvents, replayOutcomes } = deps.config.topology;
  const withReplay = (record: RecordPayload, topic: string) => ({
    ...record,
    topic,
    headers: { ...record.headers, ...replay },
  });
  const records = [
    ...plan.commands.map((command) => withReplay(commandPayload(command), topics[command.channel])),
    ...plan.deliveryEvents.map((delivery) => withReplay(deliveryEventPayload(delivery), deliveryEvents)),
  ];
  return withReplayOutcomes(records, deliveryEvents, replayOutcomes);
}

function observeLatency(deps: IngestDeps, published: ValidEvent[]): void {
  const now = deps.now().getTime();
  for (const { event, data } of published) {
    const eventTime = Date.parse(event.time ?? (data as { occurredAt: string }).occurredAt);
    if (!Number.isNaN(eventTime)) deps.metrics.eventToPublished.observe((now - eventTime) / 1000);
  }
}
