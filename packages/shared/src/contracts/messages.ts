import { z } from "zod";
import { DOMAINS } from "./fluxpay-events";
import { CHANNELS } from "./topics";

/**
 * Our own messages between workers. `v` is the schema version: readers accept every
 * version they know and dead-letter the rest, so a new field never breaks an old reader.
 */

const channel = z.enum(CHANNELS);
const isoTime = z.iso.datetime({ offset: true });

/**
 * Who a command is for and how they read it. Where it goes is the command's `destination`
 * alone (commands before the channel registry also carried `email`; readers drop it).
 */
export const notificationRecipientSchema = z.object({
  userId: z.string().min(1),
  locale: z.enum(["ko", "en"]).default("ko"),
  timeZone: z.string().default("Asia/Seoul"),
});
export type NotificationRecipient = z.infer<typeof notificationRecipientSchema>;

/** What a channel worker needs to render and send without calling anyone back. */
export const channelCommandSchema = z.object({
  v: z.literal(1),
  notificationId: z.string().min(1),
  channel,
  tenantId: z.string().min(1),
  domain: z.enum(DOMAINS),
  eventId: z.string().min(1),
  /** Full CloudEvents type, e.g. com.fluxpay.payment.approved. */
  eventType: z.string().min(1),
  occurredAt: isoTime,
  createdAt: isoTime,
  recipient: notificationRecipientSchema,
  /** Where this channel delivers: an email address, a webhook URL, a pub/sub channel, a device id. */
  destination: z.string().min(1),
  /**
   * The recipient as the read model shows it (the channel definition's Destination.display,
   * decided once by the ingest worker), so every status of one notification shows the same
   * recipient. Absent on older commands: the definition's `display(destination)` then.
   */
  display: z.string().max(500).optional(),
  /** Normalised event data: decimals as strings, instants as UTC ISO-8601. */
  templateData: z.record(z.string(), z.unknown()),
  traceId: z.string().min(1),
});
export type ChannelCommand = z.infer<typeof channelCommandSchema>;

export const DELIVERY_STATUSES = ["PENDING", "SENT", "FAILED", "SKIPPED"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One status change of one notification: the read model's only input. */
export const deliveryEventSchema = z.object({
  v: z.literal(1),
  notificationId: z.string().min(1),
  status: z.enum(DELIVERY_STATUSES),
  channel,
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  /** Where it went or would have gone (email, webhook host); null when there is none. */
  recipient: z.string().nullable(),
  /** When the notification was created (PENDING time); the same on every status event. */
  createdAt: isoTime,
  /** When this status was reached. */
  at: isoTime,
  attempts: z.number().int().nonnegative().max(2_147_483_647).optional(),
  providerMessageId: z.string().optional(),
  latencyMs: z.number().nonnegative().optional(),
  /** SKIPPED: why (CHANNEL_DISABLED, NO_CONTACT_POINT, …); FAILED: the error code. */
  reasonCode: z.string().optional(),
  errorMessage: z.string().optional(),
  traceId: z.string().optional(),
});
export type DeliveryEvent = z.infer<typeof deliveryEventSchema>;
