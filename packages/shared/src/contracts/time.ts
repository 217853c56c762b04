import type { ParseResult } from "./records";

/**
 * RFC 3339 instants as FluxPay sends them (CONTRACT §1): Java's `Instant`/`OffsetDateTime`
 * write up to nine fractional digits and any offset. `Date.parse` is no judge: it accepts
 * `2026-02-30` (rolled over to March 2), times without an offset (read as local time) and
 * free text such as `Feb 4 2026`, so the grammar and the calendar are checked here.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** What our instants keep: nanoseconds, as Java's Instant does (PostgreSQL keeps microseconds). */
const MAX_FRACTION_DIGITS = 9;

const reject = (reason: string): ParseResult<string> => ({ ok: false, reason });

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * `2026-02-04T19:30:00.123456789+09:00` → `2026-02-04T10:30:00.123456789Z`: the same instant
 * in UTC, its fractional digits kept (at least three, so whole seconds read `.000` as
 * `toISOString` writes them). A leap second (`:60`) is read as `:59`, as Java's
 * `DateTimeFormatter.ISO_INSTANT` does. Digits beyond nanoseconds are dropped.
 */
export function parseInstant(text: string): ParseResult<string> {
  const match = RFC3339.exec(text);
  if (!match) return reject("must be an RFC 3339 timestamp with an offset, such as 2026-02-04T10:30:00Z");
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = (match[7] ?? "").slice(0, MAX_FRACTION_DIGITS).padEnd(3, "0");
  const offsetSign = match[8] === "-" ? -1 : 1;
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);

  if (month < 1 || month > 12) return reject(`has month ${match[2]}, which does not exist`);
  if (day < 1 || day > daysInMonth(year, month))
    return reject(`has day ${match[3]}, which ${match[1]}-${match[2]} does not have`);
  if (hour > 23 || minute > 59 || second > 60 || (second === 60 && minute !== 59))
    return reject(`has time ${match[4]}:${match[5]}:${match[6]}, which does not exist`);
  if (offsetHours > 23 || offsetMinutes > 59)
    return reject(`has offset ${text.slice(-6)}, which does not exist`);

  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), 0);
  date.setTime(date.getTime() - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return reject("is outside the years 0000–9999 in UTC");
  return { ok: true, value: `${date.toISOString().slice(0, 19)}.${fraction}Z` };
}
