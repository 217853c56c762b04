import type { SettingsInput } from "./api";
import { shortType } from "./fluxpay";

export type Channel = "EMAIL" | "SLACK" | "IN_APP" | "PUSH";
export type Status = "SENT" | "SKIPPED" | "FAILED";
const CHANNELS: Channel[] = ["EMAIL", "SLACK", "IN_APP", "PUSH"];

/** CONTRACT §2, written out here so the suite checks the platform against the contract, not itself. */
export const CONTRACT_ROUTES: Record<string, Channel[]> = {
  "payment.approved": ["EMAIL", "IN_APP", "PUSH"],
  "payment.failed": ["EMAIL", "IN_APP", "SLACK", "PUSH"],
  "subscription.renewed": ["EMAIL"],
  "subscription.expiring": ["EMAIL", "IN_APP", "PUSH"],
  "subscription.created": ["EMAIL"],
  "subscription.cancelled": ["EMAIL"],
  "order.created": ["IN_APP"],
  "order.status-changed": ["IN_APP"],
  "refund.completed": ["EMAIL", "IN_APP", "PUSH"],
  "refund.failed": ["EMAIL", "IN_APP", "SLACK", "PUSH"],
};

/**
 * The final status of each channel a user's event should show: a per-event-type switch wins,
 * then the channel's master switch (which can only turn a default off); a channel that is on
 * but has no contact point (no email, no tenant Slack channel, no push device) is SKIPPED.
 */
export function expectedStatuses(
  type: string,
  settings: SettingsInput,
  contact: { slack: boolean; devices: number },
): Partial<Record<Channel, Status>> {
  const short = shortType(type);
  const defaults = CONTRACT_ROUTES[short] ?? [];
  const result: Partial<Record<Channel, Status>> = {};
  for (const channel of CHANNELS) {
    const explicit = settings.eventTypes?.[short]?.[channel];
    const isDefault = defaults.includes(channel);
    let send: boolean | undefined;
    if (explicit === true) send = true;
    else if (explicit === false) send = isDefault ? false : undefined;
    else if (isDefault) send = settings.channels?.[channel] !== false;
    if (send === undefined) continue;
    const reachable = {
      EMAIL: Boolean(settings.email),
      SLACK: contact.slack,
      IN_APP: true,
      PUSH: contact.devices > 0,
    }[channel];
    result[channel] = send && reachable ? "SENT" : "SKIPPED";
  }
  return result;
}
