import { CHANNELS, type Channel } from "@fluxnotify/shared/contracts";

/** What the stand-ins recorded, reduced to the shapes the ledger needs. */
export interface Receipts {
  emails: ReadonlyArray<{ messageId?: string | null | undefined }>;
  webhooks: ReadonlyArray<{ body: unknown }>;
  inApp: ReadonlyArray<{ message: string }>;
  /** Web Push messages the push stand-in accepted, decrypted (the §5 JSON). */
  pushes: ReadonlyArray<{ payload: unknown }>;
}

// Notification ids are UUIDv8 (event ids are v4), so this never matches another id in a body.
const NOTIFICATION_ID = /[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

/** The email worker's Message-ID is `<{notificationId}@fluxnotify>`. */
export function notificationIdOfEmail(messageId: string | null | undefined): string | undefined {
  return messageId ? NOTIFICATION_ID.exec(messageId)?.[0] : undefined;
}

/** Slack messages carry the notification id in their context block. */
export function notificationIdOfWebhook(body: unknown): string | undefined {
  const text = typeof body === "string" ? body : JSON.stringify(body ?? "");
  return NOTIFICATION_ID.exec(text)?.[0];
}

export function notificationIdOfInApp(message: string): string | undefined {
  try {
    const parsed = JSON.parse(message) as { notificationId?: unknown };
    return typeof parsed.notificationId === "string" ? parsed.notificationId : undefined;
  } catch {
    return undefined;
  }
}

export interface ReceiptCounts {
  /** Receipts per notification id of this run, per channel. */
  byChannel: Record<Channel, Map<string, number>>;
}

export function countReceipts(receipts: Receipts, ours: (notificationId: string) => boolean): ReceiptCounts {
  const byChannel = Object.fromEntries(
    CHANNELS.map((channel) => [channel, new Map()]),
  ) as ReceiptCounts["byChannel"];
  const add = (channel: Channel, id: string | undefined) => {
    if (!id || !ours(id)) return;
    const counts = byChannel[channel];
    counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  for (const mail of receipts.emails) add("EMAIL", notificationIdOfEmail(mail.messageId));
  for (const post of receipts.webhooks) add("SLACK", notificationIdOfWebhook(post.body));
  for (const message of receipts.inApp) add("IN_APP", notificationIdOfInApp(message.message));
  for (const push of receipts.pushes) {
    const id = (push.payload as { notificationId?: unknown } | null)?.notificationId;
    add("PUSH", typeof id === "string" ? id : undefined);
  }
  return { byChannel };
}

/** Extra receipts of one notification: every receipt after the first is a duplicate send. */
export function duplicatesOf(counts: Map<string, number>): number {
  let duplicates = 0;
  for (const count of counts.values()) duplicates += Math.max(0, count - 1);
  return duplicates;
}
