import {
  type Channel,
  type EventType,
  inAppDestination,
  isKnownEventType,
  notificationIdFor,
  routeEvent,
} from "@fluxnotify/shared/contracts";
import type { PlannedEvent, Population } from "../workload/index";

export type ExpectedStatus = "SENT" | "SKIPPED" | "FAILED";

/** One notification the platform owes for an event: (event, channel, destination). */
export interface ExpectedNotification {
  notificationId: string;
  eventId: string;
  tenantId: string;
  channel: Channel;
  expected: ExpectedStatus;
  /** SKIPPED: CHANNEL_DISABLED / NO_CONTACT_POINT; FAILED: why it must be dead-lettered. */
  reason?: string;
}

/**
 * CONTRACT §2's destinations, written from the contract rather than imported from the
 * ingest worker, so the ledger checks the worker instead of agreeing with it by
 * construction: email → the user's address; Slack → the tenant's operations webhook and
 * the user's own (deduplicated); in-app → the user's Redis channel; push → each of the
 * user's devices.
 */
function destinations(channel: Channel, event: PlannedEvent, population: Population, userId: string) {
  const settings = population.settingsOf(event.tenantId, userId);
  if (channel === "EMAIL") return settings.contacts.EMAIL ? [settings.contacts.EMAIL] : [];
  if (channel === "SLACK") {
    const urls = [population.opsWebhookOf(event.tenantId), settings.contacts.SLACK];
    return [...new Set(urls.filter((url): url is string => Boolean(url)))];
  }
  if (channel === "PUSH") return settings.devices.map((device) => device.id);
  return [inAppDestination(event.tenantId, userId)];
}

/** The notifications `event` must end in, using the platform's real routing (routeEvent). */
export function expectedNotifications(event: PlannedEvent, population: Population): ExpectedNotification[] {
  if (!isKnownEventType(event.type) || event.userId === null) return [];
  const userId = event.userId;
  const settings = population.settingsOf(event.tenantId, userId);
  const common = { eventId: event.id, tenantId: event.tenantId };
  const result: ExpectedNotification[] = [];
  const skipped = (channel: Channel, reason: string) =>
    result.push({
      ...common,
      channel,
      notificationId: notificationIdFor(event.id, channel, `user:${userId}`),
      expected: "SKIPPED",
      reason,
    });
  for (const decision of routeEvent(event.type as EventType, settings)) {
    if (!decision.send) {
      skipped(decision.channel, decision.reason);
      continue;
    }
    const targets = destinations(decision.channel, event, population, userId);
    if (targets.length === 0) skipped(decision.channel, "NO_CONTACT_POINT");
    for (const destination of targets) {
      const bounces = decision.channel === "EMAIL" && population.bounces(destination);
      result.push({
        ...common,
        channel: decision.channel,
        notificationId: notificationIdFor(event.id, decision.channel, destination),
        expected: bounces ? "FAILED" : "SENT",
        ...(bounces ? { reason: "SMTP server rejects the recipient (550)" } : {}),
      });
    }
  }
  return result;
}

export function expectedForAll(events: PlannedEvent[], population: Population): ExpectedNotification[] {
  return events.flatMap((event) => expectedNotifications(event, population));
}
