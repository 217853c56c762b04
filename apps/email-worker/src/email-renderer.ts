import type { NotificationCopy } from "@fluxnotify/shared/delivery";
import { NonRetryableError } from "@fluxnotify/shared/errors";
import {
  type CompiledTemplate,
  compileTemplate,
  type SlotShape,
  type SlotSpec,
  shapeKey,
  slotShape,
} from "./compile/template";
import { type EmailCommand, emailCopy, type RenderedEmail } from "./email-copy";
import { renderWithReact } from "./react-render";
import { EMAIL_TEMPLATES, type EmailTemplate } from "./templates/events";
import type { Locale } from "./templates/layout";

/**
 * Emails rendered by substitution into compiled templates: the React templates stay the
 * source of truth, but React and html-to-text run once per *variant*, not per message.
 *
 * A variant is what the Layout's output depends on besides the values: the template, the
 * locale, the copy's title and tone, which fields are present (their labels), and per value
 * whether it is empty or blank (see SlotShape) and, for the summary, its length up to 150.
 * The values (summary, field values) are the slots. Variants compile on first use, once
 * (concurrent first uses share the compile), and are checked as they compile (see
 * compile/template.ts); `checkEmailTemplates` compiles every template at start-up so a
 * template that cannot be compiled stops the worker before it consumes anything.
 */

/**
 * react-email's Preview (`PREVIEW_MAX_LENGTH` in @react-email/preview, not exported): it
 * shows the first 150 UTF-16 units of the summary and pads shorter ones with 150 − n
 * invisible characters, so the HTML depends on the summary's length up to 150. Should
 * react-email change it, compiling fails (the length check), it never renders wrongly.
 */
const PREVIEW_MAX_LENGTH = 150;
/** In the inbox preview and in the body; the preview is skipped in the plain text. */
const SUMMARY: SlotSpec = { name: "summary", html: 2, text: 1, lengthCap: PREVIEW_MAX_LENGTH };
const field = (label: string): SlotSpec => ({ name: `field "${label}"`, html: 1, text: 1 });
const ANY_FIELD = field("");

/**
 * Compiled variants kept. Most of them differ only in the summary's length, so a real mix
 * needs a few hundred; each is ~5–10 KB of strings. Beyond the bound the oldest is dropped
 * (and compiled again if it comes back: a few ms).
 */
const DEFAULT_MAX_VARIANTS = 1_000;

const valuesOf = (copy: NotificationCopy) => [copy.summary, ...copy.fields.map((f) => f.value)];

/** The copy with its values replaced by `values` (sentinels, probes). */
const withValues = (copy: NotificationCopy, values: readonly string[]): NotificationCopy => ({
  ...copy,
  summary: values[0] ?? "",
  fields: copy.fields.map((f, i) => ({ label: f.label, value: values[i + 1] ?? "" })),
});

function compileVariant(
  eventType: string,
  Template: EmailTemplate,
  locale: Locale,
  copy: NotificationCopy,
  shapes: readonly SlotShape[],
): Promise<CompiledTemplate> {
  // The variant is compiled from the copy's structure only: no value of the message that
  // first needed it is kept or rendered.
  const structure = withValues(copy, []);
  return compileTemplate(
    `${eventType} (${locale})`,
    (values) => renderWithReact(Template, withValues(structure, values), locale),
    [SUMMARY, ...copy.fields.map((f) => field(f.label))],
    shapes,
  );
}

export interface EmailRenderer {
  render(command: EmailCommand): Promise<RenderedEmail>;
  /** Variants compiled and kept (for tests and the bench). */
  readonly variants: number;
}

export function createEmailRenderer(options: { maxVariants?: number } = {}): EmailRenderer {
  const maxVariants = options.maxVariants ?? DEFAULT_MAX_VARIANTS;
  const compiled = new Map<string, Promise<CompiledTemplate>>();

  function variant(
    eventType: string,
    Template: EmailTemplate,
    locale: Locale,
    copy: NotificationCopy,
    values: string[],
  ) {
    const shapes = values.map((value, i) => slotShape(value, i === 0 ? SUMMARY : ANY_FIELD));
    // Title and labels come from our copy (constants per event type and locale), never
    // from data; NUL cannot occur in them (the copy strips control characters).
    const key = `${eventType}\0${locale}\0${copy.tone}\0${copy.title}\0${copy.fields.map((f) => f.label).join("\0")}\0${shapeKey(shapes)}`;
    let template = compiled.get(key);
    if (!template) {
      template = compileVariant(eventType, Template, locale, copy, shapes).catch((error: unknown) => {
        // A template bug, the same every time for this shape: the message is dead-lettered
        // (and can be replayed once the template is fixed) rather than retried.
        throw new NonRetryableError("EMAIL_TEMPLATE_UNCOMPILABLE", (error as Error).message, {
          cause: error,
        });
      });
      compiled.set(key, template);
      if (compiled.size > maxVariants) compiled.delete(compiled.keys().next().value as string);
    }
    return template;
  }

  return {
    async render(command) {
      const { Template, locale, copy, subject } = emailCopy(command);
      const values = valuesOf(copy);
      const template = await variant(command.eventType, Template, locale, copy, values);
      return { subject, html: template.html(values), text: template.text(values) };
    },
    get variants() {
      return compiled.size;
    },
  };
}

/**
 * Compiles every template in both locales with fields of every shape (text, empty, blank),
 * a summary below the preview's 150 units in one locale and above it in the other, and
 * throws the first failure: run at start-up, so a template whose structure defeats
 * compilation stops the worker loudly. The copy is synthetic (its title and tone are the
 * event's); real field sets compile on first use and are checked then too.
 */
export async function checkEmailTemplates(): Promise<number> {
  const summaries: Record<Locale, string> = { ko: "short summary", en: "long summary ".repeat(20) };
  let checked = 0;
  for (const [eventType, Template] of Object.entries(EMAIL_TEMPLATES)) {
    for (const locale of ["ko", "en"] as const) {
      const recipient = { userId: "check", locale, timeZone: "Asia/Seoul" };
      const { copy } = emailCopy({ eventType, templateData: {}, recipient });
      const structure = { ...copy, fields: ["a", "b", "c", "d"].map((label) => ({ label, value: "" })) };
      const values = [summaries[locale], "value", "", " \u200b ", "another value"];
      const shapes = values.map((value, i) => slotShape(value, i === 0 ? SUMMARY : ANY_FIELD));
      await compileVariant(eventType, Template, locale, structure, shapes);
      checked++;
    }
  }
  return checked;
}
