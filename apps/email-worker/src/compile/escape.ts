/**
 * What a slot value becomes in each part, byte for byte what the direct path produces (the
 * oracle test checks it for arbitrary values).
 */

const HTML_SPECIAL = /["&'<>]/;
const HTML_SPECIALS = /["&'<>]/g;
const HTML_ENTITY: Record<string, string> = {
  '"': "&quot;",
  "&": "&amp;",
  "'": "&#x27;",
  "<": "&lt;",
  ">": "&gt;",
};

/** React DOM's text escaping (`escapeTextForBrowser`): the same five characters, the same entities. */
export function escapeHtml(value: string): string {
  return HTML_SPECIAL.test(value) ? value.replace(HTML_SPECIALS, (char) => HTML_ENTITY[char] ?? char) : value;
}

/**
 * The characters html-to-text treats as white space (its default `whitespaceCharacters`,
 * passed to it explicitly so the two can never disagree). U+200B is one of them; U+00A0 is not.
 */
export const PLAIN_TEXT_WHITESPACE = " \t\r\n\f\u200b";
const WHITESPACE_RUN = new RegExp(`[${PLAIN_TEXT_WHITESPACE}]+`, "g");

/**
 * A value as html-to-text writes it when the value is the whole content of a block (a
 * table cell, a paragraph; the compiler checks that each slot is): entities decoded (React
 * escaped them, so this is the raw value), every run of white space one space, none at the ends.
 */
export function plainTextOf(value: string): string {
  const collapsed = value.replace(WHITESPACE_RUN, " ");
  const start = collapsed.startsWith(" ") ? 1 : 0;
  const end = collapsed.endsWith(" ") ? collapsed.length - 1 : collapsed.length;
  return start === 0 && end === collapsed.length ? collapsed : collapsed.slice(start, Math.max(start, end));
}
