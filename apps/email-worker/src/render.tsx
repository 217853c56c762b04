// Explicit JSX runtime: tsx may run this from a directory without our tsconfig (bin/dev, Docker).
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import { notificationCopy } from "@fluxnotify/shared/delivery";
import { NonRetryableError } from "@fluxnotify/shared/errors";
import { plainTextSelectors, render } from "@react-email/render";
import { compile } from "html-to-text";
import { EMAIL_TEMPLATES } from "./templates/events";

/**
 * react-email's `toPlainText` conversion, compiled once: `toPlainText` calls html-to-text's
 * `convert`, which rebuilds its selector tree per message (~16% of the worker's CPU).
 */
const toPlainText = compile({ wordwrap: false, selectors: plainTextSelectors });

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
  return { subject: `[FluxPay] ${copy.title}`, html, text: toPlainText(html) };
}
