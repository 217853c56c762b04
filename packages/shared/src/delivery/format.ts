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
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const zoneValidity = new Map<string, string>();

function numberFormat(locale: Locale, currency: string): Intl.NumberFormat {
  return cached(numberFormats, `${locale}|${currency}`, () => {
    try {
      return new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency });
    } catch {
      return new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 2 });
    }
  });
}

/**
 * `"15000.00" KRW` → `15,000원` (ko) / `₩15,000` (en); `"12.5" USD` → `US$12.50` / `$12.50`.
 * The decimal string goes to Intl as a string, which formats it exactly (no binary float),
 * rounding only to the currency's own minor unit.
 */
export function formatMoney(amount: string, currency: string, locale: Locale): string {
  // Intl accepts decimal strings exactly; the cast is for lib typings that only list number.
  const exact = amount as unknown as number;
  if (locale === "ko" && currency === "KRW") {
    const won = cached(
      numberFormats,
      "ko|KRW-won",
      () => new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 }),
    );
    return `${won.format(exact)}원`;
  }
  return numberFormat(locale, currency).format(exact);
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
