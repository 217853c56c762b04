import { CHANNEL_DEFINITIONS } from "@fluxnotify/shared/channels";
import {
  type Channel,
  type ChannelCommand,
  type DeliveryEvent,
  type Domain,
  type EventType,
  type NotificationSettings,
  notificationIdFor,
  recipientContext,
  routeEvent,
} from "@fluxnotify/shared/contracts";

export interface PlanInput {
  eventId: string;
  eventType: EventType;
  domain: Domain;
  tenantId: string;
  userId: string;
  occurredAt: string;
  templateData: Record<string, unknown>;
  traceId: string;
  settings: NotificationSettings;
  opsWebhookUrl: string | undefined;
  now: Date;
  /**
   * Also open each commanded notification with a PENDING delivery event. Only replays need
   * it (it is how dlq-admin learns a replayed event was routed); otherwise the channel
   * worker's SENT or FAILED says everything PENDING would, one record later, and a worker
   * reports PENDING itself when a send is delayed (retries, provider down).
   */
  announcePending?: boolean;
}

export interface NotificationPlan {
  commands: ChannelCommand[];
  deliveryEvents: DeliveryEvent[];
}

/**
 * Turns one routed event into channel commands (one per destination) and the delivery
 * events only ingest can report: SKIPPED with the reason where no command is issued (and
 * PENDING per command when `announcePending`). Pure, so every routing rule is unit-tested.
 */
export function planNotifications(input: PlanInput): NotificationPlan {
  const plan: NotificationPlan = { commands: [], deliveryEvents: [] };
  const createdAt = input.now.toISOString();
  const base = {
    v: 1 as const,
    tenantId: input.tenantId,
    userId: input.userId,
    eventId: input.eventId,
    eventType: input.eventType,
    createdAt,
    at: createdAt,
    traceId: input.traceId,
  };
  const recipient = recipientContext(input.tenantId, input.userId, input.settings, input.opsWebhookUrl);
  const skip = (channel: Channel, reasonCode: string) =>
    plan.deliveryEvents.push({
      ...base,
      notificationId: notificationIdFor(input.eventId, channel, `user:${input.userId}`),
      channel,
      status: "SKIPPED",
      recipient: null,
      reasonCode,
    });

  for (const decision of routeEvent(input.eventType, input.settings)) {
    const { channel } = decision;
    if (!decision.send) {
      skip(channel, decision.reason);
      continue;
    }
    const destinations = CHANNEL_DEFINITIONS[channel].destinations(recipient);
    if (destinations.length === 0) skip(channel, "NO_CONTACT_POINT");
    for (const { address: destination, display } of destinations) {
      const notificationId = notificationIdFor(input.eventId, channel, destination);
      plan.commands.push({
        v: 1,
        notificationId,
        channel,
        tenantId: input.tenantId,
        domain: input.domain,
        eventId: input.eventId,
        eventType: input.eventType,
        occurredAt: input.occurredAt,
        createdAt,
        recipient: { userId: input.userId, locale: input.settings.locale, timeZone: input.settings.timeZone },
        destination,
        display,
        templateData: input.templateData,
        traceId: input.traceId,
      });
      if (input.announcePending) {
        plan.deliveryEvents.push({
          ...base,
          notificationId,
          channel,
          status: "PENDING",
          recipient: display,
        });
      }
    }
  }
  return plan;
}
