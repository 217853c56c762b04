import { z } from "zod";
import { checkWebhookUrl } from "../delivery/allow-list";
import { type ChannelDefinition, DEFAULT_POLICY, type Destination } from "./definition";

/**
 * Slack's webhook URLs are ~80 characters; 2048 (what browsers and most proxies take in a
 * URL) leaves room for any real one while keeping a user from storing megabytes.
 */
const MAX_WEBHOOK_URL_LENGTH = 2048;

/** The path is the secret part of a webhook URL: only the host is ever shown. */
function webhookHost(address: string): string {
  try {
    return new URL(address).host;
  } catch {
    return "invalid webhook URL";
  }
}

/**
 * SLACK: the tenant's operations channel plus the user's own webhook where they set one
 * (CONTRACT §2), posted by apps/slack-worker. The same URL twice is one destination.
 */
export const slack = {
  id: "SLACK",
  commandTopic: "notification.commands.slack",
  consumerGroup: "notif-slack",
  app: "slack-worker",
  healthPort: 9103,
  defaultEvents: ["payment.failed", "refund.failed"],
  contact: {
    settingsField: "slackWebhookUrl",
    description: "the user's own Slack incoming webhook, in addition to the tenant's operations channel",
    // The slack-worker's own allow-list check, so a saved webhook is never one it refuses.
    schema: ({ slackAllowList }) =>
      z
        .string()
        .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
        .superRefine((value, ctx) => {
          if (value.length > MAX_WEBHOOK_URL_LENGTH) return; // one message is enough: it is too long
          try {
            checkWebhookUrl(value, slackAllowList);
          } catch (error) {
            ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/; not called$/, "") });
          }
        }),
  },
  destinations: ({ tenantSlackWebhookUrl, contacts }) => {
    const urls = new Set(
      [tenantSlackWebhookUrl, contacts.SLACK].filter((url): url is string => Boolean(url)),
    );
    return [...urls].map((address): Destination => ({ address, display: webhookHost(address) }));
  },
  display: webhookHost,
  policy: DEFAULT_POLICY,
} as const satisfies ChannelDefinition<"SLACK", "slack-worker">;
