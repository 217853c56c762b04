// Explicit JSX runtime: tsx may run this from a directory without our tsconfig (bin/dev, Docker).
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { NotificationCopy } from "@fluxnotify/shared/delivery";
import { plainTextSelectors, render } from "@react-email/render";
import { compile } from "html-to-text";
import { PLAIN_TEXT_WHITESPACE } from "./compile/escape";
import { type EmailCommand, emailCopy, type RenderedEmail } from "./email-copy";
import type { EmailTemplate } from "./templates/events";
import type { Locale } from "./templates/layout";

/**
 * react-email's `toPlainText` conversion, compiled once: `toPlainText` calls html-to-text's
 * `convert`, which rebuilds its selector tree per message. White space as escape.ts has it
 * (html-to-text's default, spelled out so the compiled substitution cannot drift from it).
 */
export const htmlToPlainText = compile({
  wordwrap: false,
  selectors: plainTextSelectors,
  whitespaceCharacters: PLAIN_TEXT_WHITESPACE,
});

/**
 * The template rendered by React, and its plain-text part derived from that HTML (as
 * render's own plainText option would do after rendering the same element a second time).
 * What the compiler renders sentinels with, and the oracle's HTML and text; at run time
 * messages never come here (see email-renderer.ts).
 */
export async function renderWithReact(
  Template: EmailTemplate,
  copy: NotificationCopy,
  locale: Locale,
): Promise<{ html: string; text: string }> {
  const html = await render(<Template copy={copy} locale={locale} />);
  return { html, text: htmlToPlainText(html) };
}

/** One command rendered the direct way, a React render per message: the oracle of the compiled renderer's tests. */
export async function renderEmailDirect(command: EmailCommand): Promise<RenderedEmail> {
  const { Template, locale, copy, subject } = emailCopy(command);
  return { subject, ...(await renderWithReact(Template, copy, locale)) };
}
