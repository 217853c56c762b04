import { normaliseDecimal } from "../contracts/decimal";

export type Locale = "ko" | "en";

const DEFAULT_TIME_ZONE = "Asia/Seoul";
const intlLocale = (locale: Locale) => (locale === "en" ? "en-US" : "ko-KR");

/**
 * Intl formatters are immutable and costly to build (they dominated the in-app worker's
 * CPU profile when built per message), so each distinct one is built once. The key space is
 * small: locales × currencies × time zones actually in use.
 */
function cached<T>(cache: Map<string, T>, key: string, build: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    cache.set(key, value);
  }
  return value;
}
const numberFormats = new Map<string, Intl.NumberFormat>();
const minorUnits = new Map<string, number>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const zoneValidity = new Map<string, string>();

/** ISO 4217 minor unit from ICU (KRW 0, USD 2, BHD 3); undefined for a code Intl refuses. */
function minorDigits(currency: string): number | undefined {
  const digits = cached(minorUnits, currency, () => {
    try {
      return (
        new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
          .maximumFractionDigits ?? 2
      );
    } catch {
      return -1; // cached too: a refused code is not retried per message
    }
  });
  return digits < 0 ? undefined : digits;
}

/** Exactly `digits` fraction digits: never more (nothing to round), never fewer. */
function numberFormat(locale: Locale, digits: number, currency?: string): Intl.NumberFormat {
  return cached(numberFormats, `${locale}|${currency ?? "-"}|${digits}`, () => {
    const exact = { minimumFractionDigits: digits, maximumFractionDigits: digits };
    return new Intl.NumberFormat(
      intlLocale(locale),
      currency ? { ...exact, style: "currency", currency } : exact,
    );
  });
}

/**
 * The exact amount in the reader's locale: `"15000.00" KRW` → `15,000원` (ko) / `₩15,000`
 * (en); `"23500.50" KRW` → `23,500.50원`; `"12.5" USD` → `US$12.50` / `$12.50`. Zeros past
 * the currency's minor unit carry no value and are dropped; any other digit is shown
 * with the producer's scale, never rounded to the minor unit. The decimal goes to Intl as
 * a string, which Intl formats exactly (no binary float) for every value within
 * MAX_DECIMAL_DIGITS. Text that is not such a decimal (a command from before validation
 * capped amounts) is shown as it is, with the currency code.
 */
export function formatMoney(amount: string, currency: string, locale: Locale): string {
  const exact = normaliseDecimal(amount);
  if (!exact.ok) return `${amount} ${currency}`;
  const fraction = exact.value.split(".")[1] ?? "";
  const minor = minorDigits(currency);
  const digits = minor !== undefined && /^0*$/.test(fraction.slice(minor)) ? minor : fraction.length;
  // Intl accepts decimal strings exactly; the cast is for lib typings that only list number.
  const value = exact.value as unknown as number;
  if (locale === "ko" && currency === "KRW") return `${numberFormat(locale, digits).format(value)}원`;
  if (minor === undefined) return `${numberFormat(locale, digits).format(value)} ${currency}`;
  return numberFormat(locale, digits, currency).format(value);
}

function validTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  return cached(zoneValidity, timeZone, () => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
      return timeZone;
    } catch {
      return DEFAULT_TIME_ZONE;
    }
  });
}

/** An instant in the user's time zone: `2026년 2월 4일 오후 7:30 GMT+9` / `February 4, 2026 at 7:30 PM GMT+9`. */
export function formatTime(iso: string, locale: Locale, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = validTimeZone(timeZone);
  const format = cached(
    dateFormats,
    `time|${locale}|${zone}`,
    () =>
      new Intl.DateTimeFormat(intlLocale(locale), {
        year: "numeric",
        month: "long",
        day: "numeric",
        hour: "numeric",
        minute: "2-digit",
        timeZone: zone,
        timeZoneName: "short",
      }),
  );
  return format.format(date);
}

/** A date only (period ends, expiry days). */
export function formatDate(iso: string, locale: Locale, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = validTimeZone(timeZone);
  const format = cached(
    dateFormats,
    `date|${locale}|${zone}`,
    () =>
      new Intl.DateTimeFormat(intlLocale(locale), {
        year: "numeric",
        month: "long",
        day: "numeric",
        timeZone: zone,
      }),
  );
  return format.format(date);
}
