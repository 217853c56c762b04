import {
  CHANNEL_DEFINITIONS,
  type ContactPoints,
  type PushDevice,
  type RecipientContext,
} from "../channels/index";
import { type EventType, shortEventType } from "./fluxpay-events";
import { CHANNELS, type Channel } from "./topics";

/**
 * CONTRACT §2, keyed by short event type: each channel's `defaultEvents` (its definition),
 * gathered. Types absent here notify nobody by default.
 */
export const DEFAULT_ROUTES: Readonly<Record<string, readonly Channel[]>> = (() => {
  const routes: Record<string, Channel[]> = {};
  for (const channel of CHANNELS)
    for (const type of CHANNEL_DEFINITIONS[channel].defaultEvents)
      routes[type] = [...(routes[type] ?? []), channel];
  return routes;
})();

export type ChannelSwitches = Partial<Record<Channel, boolean>>;

/** A user's notification settings; `defaultSettings()` for a user who never saved any. */
export interface NotificationSettings {
  locale: "ko" | "en";
  timeZone: string;
  /** The user's own contact points by channel (EMAIL: address, SLACK: webhook URL). */
  contacts: ContactPoints;
  /** The push devices the user registered (CONTRACT §4); kept beside the settings, not in them. */
  devices: PushDevice[];
  /** Master switch per channel; absent = on. */
  channels: ChannelSwitches;
  /** Per short event type ("payment.failed"): explicit on/off, overriding defaults and master switches. */
  eventTypes: Partial<Record<string, ChannelSwitches>>;
}

export function defaultSettings(): NotificationSettings {
  return {
    locale: "ko",
    timeZone: "Asia/Seoul",
    contacts: {},
    devices: [],
    channels: {},
    eventTypes: {},
  };
}

/**
 * Redis key of the cached settings (with devices) the ingest worker reads; query-api deletes
 * it when settings or devices change. `v2`: the shape with `contacts` and `devices`, so a
 * deployment's entries of the earlier shape are simply not read (they expire by TTL).
 */
export const settingsCacheKey = (tenantId: string, userId: string) =>
  `notif:settings:v2:${tenantId}:${userId}`;

/** What a channel definition's `destinations` gets for this user. */
export const recipientContext = (
  tenantId: string,
  userId: string,
  settings: NotificationSettings,
  tenantSlackWebhookUrl?: string,
): RecipientContext => ({
  tenantId,
  userId,
  contacts: settings.contacts,
  devices: settings.devices,
  tenantSlackWebhookUrl,
});

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
