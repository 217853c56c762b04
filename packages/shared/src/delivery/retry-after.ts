/**
 * An HTTP `Retry-After` (RFC 9110 §10.2.3) in milliseconds: delay-seconds or an HTTP date;
 * undefined when absent or unreadable (the retry schedule applies then).
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
