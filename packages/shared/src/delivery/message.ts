import type { InAppMessage } from "../contracts/inapp";
import type { ChannelCommand } from "../contracts/messages";
import { notificationCopy } from "./copy";
import { truncate } from "./text";

/**
 * CONTRACT §5's message for a person's device or feed: the in-app JSON (Redis Pub/Sub, the
 * inbox stream) and the Web Push payload (which adds `url`) are this one shape, with the
 * same words, so a push and its feed card always say the same thing. `data` is the raw
 * event data (decimals as strings), whatever the length of its values.
 */
export type NotificationMessage = InAppMessage;

/**
 * Bounds of what a card shows, in code points. A title is one line (the length Slack allows
 * a header, 150); a body a few lines: 1,000 code points of Korean are 3,000 bytes, which
 * still fits the 4096 bytes a push service must accept (RFC 8030 §7.2).
 */
export const MESSAGE_TITLE_MAX = 150;
export const MESSAGE_BODY_MAX = 1_000;

/** The message for one command, in its recipient's language and time zone. */
export function notificationMessage(command: ChannelCommand): NotificationMessage {
  const copy = notificationCopy({
    eventType: command.eventType,
    data: command.templateData,
    locale: command.recipient.locale,
    timeZone: command.recipient.timeZone,
  });
  return {
    notificationId: command.notificationId,
    eventType: command.eventType,
    title: truncate(copy.title, MESSAGE_TITLE_MAX),
    body: truncate(copy.summary, MESSAGE_BODY_MAX),
    createdAt: command.createdAt,
    data: command.templateData,
  };
}
