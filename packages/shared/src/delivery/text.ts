/**
 * The one sanitiser and the one truncation rule for text users read, whatever the channel.
 * Raw event values stay untouched in `data` (templateData, in-app `data`); only what is
 * rendered from them passes through here.
 */

export const ELLIPSIS = "…";

/**
 * Line breaks and tabs inside a value (including U+0085, U+2028, U+2029): every value is
 * shown inline (a sentence, a table cell, a Slack field), so each becomes one space. The
 * line breaks a channel's own layout needs are added after values are cleaned.
 */
const BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;

/**
 * What never reaches a reader: C0 and C1 controls and DEL (`\p{Cc}`), and the bidi
 * embedding, override and isolate controls U+202A–U+202E and U+2066–U+2069, which can make
 * text display in another order than it reads ("Trojan Source", CVE-2021-42574). The
 * implicit marks (U+200E, U+200F, U+061C) cannot reorder text and are kept.
 */
const UNSAFE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/** `value` without control and bidi-override characters; lone surrogates become U+FFFD. */
export function cleanText(value: string): string {
  return value.toWellFormed().replace(BREAKS, " ").replace(UNSAFE, "").trim();
}

/**
 * At most `max` units of `value`, cut at a code point (never inside a surrogate pair) and
 * ended with "…" when anything was cut. A unit is a code point unless `cost` says
 * otherwise: a channel whose limit applies to an escaped or UTF-16 form passes the cost
 * of each code point in that form.
 */
export function truncate(value: string, max: number, cost: (codePoint: string) => number = () => 1): string {
  let used = 0;
  let end = 0;
  const ellipsisCost = cost(ELLIPSIS);
  let fitsWithEllipsis = 0;
  for (const codePoint of value) {
    used += cost(codePoint);
    if (used > max) return `${value.slice(0, fitsWithEllipsis)}${ELLIPSIS}`;
    end += codePoint.length;
    if (used + ellipsisCost <= max) fitsWithEllipsis = end;
  }
  return value;
}

/** A user-supplied value ready to render: cleaned, then bounded to `max` code points. */
export const displayText = (value: string, max: number) => truncate(cleanText(value), max);
