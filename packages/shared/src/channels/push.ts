import { displayText, ELLIPSIS } from "../delivery/text";
import { type ChannelDefinition, DEFAULT_POLICY, type PushDevice } from "./definition";

/** How many characters of a device's label the read model shows. */
const LABEL_MAX = 40;

/**
 * An FCM token shown: its last 6 characters (to tell two apps apart) when that still hides
 * most of it, nothing otherwise. The token is enough to push to the app.
 */
export const maskPushToken = (token: string) =>
  token.length > 12 ? `${ELLIPSIS}${token.slice(-6)}` : ELLIPSIS;

/**
 * A device as history shows it: its kind and push service, never the endpoint's path or
 * the token (either is enough to push to the device). `webpush fcm.googleapis.com (Laptop)`,
 * `fcm …a1b2c3`.
 */
export function pushDeviceDisplay(device: Pick<PushDevice, "type" | "address" | "label">): string {
  let where: string;
  if (device.type === "fcm") where = maskPushToken(device.address);
  else {
    try {
      where = new URL(device.address).host;
    } catch {
      where = "invalid endpoint";
    }
  }
  const label = device.label ? displayText(device.label, LABEL_MAX) : "";
  return `${device.type} ${where}${label ? ` (${label})` : ""}`;
}

/**
 * PUSH: every device the user registered (CONTRACT §2/§4), one command each, so each
 * device gets a notification once and a retry resends only to the one that failed; the
 * command carries the device's id, and apps/push-worker reads the device when it sends
 * (a device deleted meanwhile is SKIPPED, not pushed to).
 */
export const push = {
  id: "PUSH",
  commandTopic: "notification.commands.push",
  consumerGroup: "notif-push",
  app: "push-worker",
  healthPort: 9105,
  defaultEvents: [
    "payment.approved",
    "payment.failed",
    "subscription.expiring",
    "refund.completed",
    "refund.failed",
  ],
  destinations: ({ devices }) =>
    devices.map((device) => ({ address: device.id, display: pushDeviceDisplay(device) })),
  display: (address) => `device ${address}`,
  policy: DEFAULT_POLICY,
} as const satisfies ChannelDefinition<"PUSH", "push-worker">;
