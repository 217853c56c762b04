// Explicit JSX runtime: tsx may run this from a directory without our tsconfig (bin/dev, Docker).
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { notificationCopy, truncate } from "@fluxnotify/shared/delivery";
import { NonRetryableError } from "@fluxnotify/shared/errors";
import { plainTextSelectors, render } from "@react-email/render";
import { compile } from "html-to-text";
import { EMAIL_TEMPLATES } from "./templates/events";

/**
 * react-email's `toPlainText` conversion, compiled once: `toPlainText` calls html-to-text's
 * `convert`, which rebuilds its selector tree per message (~16% of the worker's CPU).
 */
const toPlainText = compile({ wordwrap: false, selectors: plainTextSelectors });

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

/** Subject, HTML and plain-text parts of one command, in the recipient's locale and time zone. */
export async function renderEmail(
  command: Pick<ChannelCommand, "eventType" | "templateData" | "recipient">,
): Promise<RenderedEmail> {
  const Template = EMAIL_TEMPLATES[command.eventType];
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
  const element = <Template copy={copy} locale={locale} />;
  // One React render: the plain-text part is derived from the HTML, as render's own
  // plainText option would do after rendering the same element a second time.
  const html = await render(element);
  return { subject: truncate(`[FluxPay] ${copy.title}`, EMAIL_SUBJECT_MAX), html, text: toPlainText(html) };
}
