import { type EventType, shortEventType } from "./fluxpay-events";
import { CHANNELS, type Channel } from "./topics";

/** CONTRACT §2, keyed by short event type. Types absent here notify nobody by default. */
export const DEFAULT_ROUTES: Readonly<Record<string, readonly Channel[]>> = {
  "payment.approved": ["EMAIL", "IN_APP"],
  "payment.failed": ["EMAIL", "IN_APP", "SLACK"],
  "subscription.renewed": ["EMAIL"],
  "subscription.expiring": ["EMAIL", "IN_APP"],
  "subscription.created": ["EMAIL"],
  "subscription.cancelled": ["EMAIL"],
  "order.created": ["IN_APP"],
  "order.status-changed": ["IN_APP"],
  "refund.completed": ["EMAIL", "IN_APP"],
  "refund.failed": ["EMAIL", "IN_APP", "SLACK"],
};

export type ChannelSwitches = Partial<Record<Channel, boolean>>;

/** A user's notification settings; `defaultSettings()` for a user who never saved any. */
export interface NotificationSettings {
  email: string | null;
  locale: "ko" | "en";
  timeZone: string;
  slackWebhookUrl: string | null;
  /** Master switch per channel; absent = on. */
  channels: ChannelSwitches;
  /** Per short event type ("payment.failed"): explicit on/off, overriding defaults and master switches. */
  eventTypes: Partial<Record<string, ChannelSwitches>>;
}

export function defaultSettings(): NotificationSettings {
  return {
    email: null,
    locale: "ko",
    timeZone: "Asia/Seoul",
    slackWebhookUrl: null,
    channels: {},
    eventTypes: {},
  };
}

/** Redis key of the cached settings the ingest worker reads; query-api deletes it on change. */
export const settingsCacheKey = (tenantId: string, userId: string) => `notif:settings:${tenantId}:${userId}`;

export type RouteDecision =
  | { channel: Channel; send: true }
  | { channel: Channel; send: false; reason: "CHANNEL_DISABLED" };

/**
 * Which channels an event goes to for a user. Precedence, most specific first:
 * the per-event-type switch, then the channel's master switch (off only removes), then
 * CONTRACT §2 defaults. A channel that would have been used but is switched off is
 * returned as not sent (recorded as SKIPPED); channels neither default nor switched on are
 * simply absent. Each channel is decided independently of the others.
 */
export function routeEvent(type: EventType, settings: NotificationSettings): RouteDecision[] {
  const short = shortEventType(type);
  const defaults = DEFAULT_ROUTES[short] ?? [];
  const perType = settings.eventTypes[short] ?? {};
  const decisions: RouteDecision[] = [];
  for (const channel of CHANNELS) {
    const explicit = perType[channel];
    const isDefault = defaults.includes(channel);
    if (explicit === true) decisions.push({ channel, send: true });
    else if (explicit === false) {
      if (isDefault) decisions.push({ channel, send: false, reason: "CHANNEL_DISABLED" });
    } else if (isDefault) {
      decisions.push(
        settings.channels[channel] === false
          ? { channel, send: false, reason: "CHANNEL_DISABLED" }
          : { channel, send: true },
      );
    }
  }
  return decisions;
}
