import { z } from "zod";

/**
 * Request values validated to what PostgreSQL can hold, so a hostile parameter is a 400
 * naming the field instead of a 500 from the database (CONTRACT §4).
 */

export const MAX_INT32 = 2_147_483_647;
export const MAX_INT64 = 9_223_372_036_854_775_807n;

/** PostgreSQL `text` and `jsonb` refuse U+0000. */
export const NUL_MESSAGE = "must not contain U+0000 (NUL)";
export const hasNul = (text: string) => text.includes("\u0000");

/**
 * Dates and instants a request may name: PostgreSQL holds far more (4713 BC to 5874897 AD),
 * but nothing this platform stores predates the Unix epoch, and a bound well below year
 * 9999 leaves room for range arithmetic (a range end is `from` + days) without leaving the
 * four-digit years ISO-8601 and our serialisation assume.
 */
export const EARLIEST_DATE = "1970-01-01";
export const LATEST_DATE = "2999-12-31";
const EARLIEST_MS = Date.parse(`${EARLIEST_DATE}T00:00:00Z`);
const LATEST_MS = Date.parse(`${LATEST_DATE}T23:59:59.999Z`);
const RANGE_MESSAGE = `must lie between ${EARLIEST_DATE} and ${LATEST_DATE}`;

export const isStorableInstant = (date: Date) => {
  const ms = date.getTime();
  return !Number.isNaN(ms) && ms >= EARLIEST_MS && ms <= LATEST_MS;
};

/**
 * For refinements that only make sense on a value that passed every check so far: zod runs
 * them regardless, which would add a second, misleading message to a field already wrong.
 */
export const whenValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** Text a `text` column can hold: no NUL, at most `max` characters. */
export const storableText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !hasNul(text), NUL_MESSAGE);

/** A calendar date (YYYY-MM-DD) that exists and lies in the supported range. */
export const calendarDate = z.iso
  .date()
  .refine((date) => date >= EARLIEST_DATE && date <= LATEST_DATE, { message: RANGE_MESSAGE, ...whenValid });

/** An ISO-8601 instant with offset, as a Date inside the supported range. */
export const instant = z.iso
  .datetime({ offset: true })
  .transform((text) => new Date(text))
  .refine(isStorableInstant, { message: RANGE_MESSAGE, ...whenValid });

/** A bigserial id as decimal text (clients lose precision on JSON numbers beyond 2^53). */
export const int64Text = z
  .string()
  .regex(/^\d{1,19}$/, "must be decimal digits")
  .transform((text) => BigInt(text))
  .refine((value) => value <= MAX_INT64, { message: "is out of range (at most 2^63 - 1)", ...whenValid });

/** The decimal id `text` stands for when it is one PostgreSQL's int8 holds, else undefined. */
export function parseInt64(text: string): bigint | undefined {
  const parsed = int64Text.safeParse(text);
  return parsed.success ? parsed.data : undefined;
}
