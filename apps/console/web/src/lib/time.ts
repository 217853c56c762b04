// The time filters: <input type="date"> and "datetime-local" speak the browser's local time;
// the URL and the APIs speak dates (YYYY-MM-DD) and ISO instants.

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-05-07T09:30" (local) → ISO instant; "" or nonsense → undefined. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** ISO instant → "2026-05-07T09:30" in local time, for a datetime-local input. */
export function isoToLocal(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000],
];

/** "3 hours ago" / "3시간 전": the age of `iso`, in its largest whole unit. */
export function formatAge(iso: string, locale: string, now = Date.now()): string {
  const elapsed = Math.max(0, now - new Date(iso).getTime());
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  for (const [unit, ms] of UNITS) if (elapsed >= ms) return format.format(-Math.floor(elapsed / ms), unit);
  return format.format(0, "second");
}
