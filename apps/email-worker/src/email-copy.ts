import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { type NotificationCopy, notificationCopy, truncate } from "@fluxnotify/shared/delivery";
import { NonRetryableError } from "@fluxnotify/shared/errors";
import { EMAIL_TEMPLATES, type EmailTemplate } from "./templates/events";
import type { Locale } from "./templates/layout";

/**
 * A subject line, in code points. RFC 5322 §2.1.1 caps a header line at 998 octets and
 * asks for 78; clients show 40–80 characters of a subject. 200 leaves room for any title
 * our copy writes while keeping the encoded header (RFC 2047, up to 4 octets a Korean
 * character in base64) far from the hard limit. The body needs no bound of its own: every
 * value in it is bounded by the shared copy (VALUE_MAX_CODE_POINTS).
 */
export const EMAIL_SUBJECT_MAX = 200;

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What rendering an email reads from a command. */
export type EmailCommand = Pick<ChannelCommand, "eventType" | "templateData" | "recipient">;

export interface EmailCopy {
  Template: EmailTemplate;
  locale: Locale;
  /** The shared copy: every value already cleaned and bounded. */
  copy: NotificationCopy;
  subject: string;
}

/** The template and the words of one command, in the recipient's locale and time zone. */
export function emailCopy(command: EmailCommand): EmailCopy {
  // Own properties only: an event type such as "constructor" names no template.
  const Template = Object.hasOwn(EMAIL_TEMPLATES, command.eventType)
    ? EMAIL_TEMPLATES[command.eventType]
    : undefined;
  if (!Template) {
    throw new NonRetryableError("EMAIL_TEMPLATE_MISSING", `no email template for ${command.eventType}`);
  }
  const locale = command.recipient.locale;
  const copy = notificationCopy({
    eventType: command.eventType,
    data: command.templateData,
    locale,
    timeZone: command.recipient.timeZone,
  });
  return { Template, locale, copy, subject: truncate(`[FluxPay] ${copy.title}`, EMAIL_SUBJECT_MAX) };
}
