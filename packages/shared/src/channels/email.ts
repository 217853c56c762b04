import { z } from "zod";
import { type ChannelDefinition, DEFAULT_POLICY } from "./definition";

/** EMAIL: the user's own address, sent over SMTP by apps/email-worker. */
export const email = {
  id: "EMAIL",
  commandTopic: "notification.commands.email",
  consumerGroup: "notif-email",
  app: "email-worker",
  healthPort: 9102,
  defaultEvents: [
    "payment.approved",
    "payment.failed",
    "subscription.renewed",
    "subscription.expiring",
    "subscription.created",
    "subscription.cancelled",
    "refund.completed",
    "refund.failed",
  ],
  contact: {
    settingsField: "email",
    description: "where EMAIL notifications go; null = none (EMAIL is then SKIPPED with NO_CONTACT_POINT)",
    schema: () => z.email().max(254),
  },
  destinations: ({ contacts }) =>
    contacts.EMAIL ? [{ address: contacts.EMAIL, display: contacts.EMAIL }] : [],
  display: (address) => address,
  policy: DEFAULT_POLICY,
} as const satisfies ChannelDefinition<"EMAIL", "email-worker">;
