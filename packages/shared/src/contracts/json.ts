const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text, or undefined when the bytes are not valid UTF-8 (never U+FFFD in their place). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * JSON.parse that keeps every number as its exact source text (`15000.00` stays
 * "15000.00"), using the reviver's `context.source` (ES2025 JSON.parse source text access).
 * FluxPay amounts are decimals; a float round trip would change what users read.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function reviveNumber(_key, value, context?: { source?: string }) {
    return typeof value === "number" && context?.source !== undefined ? context.source : value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/**
 * Why `text` cannot be stored as PostgreSQL text or sent as UTF-8, or undefined when it can:
 * U+0000, or a UTF-16 surrogate without its pair (only JSON's \u escapes can produce one).
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains U+0000, which PostgreSQL text cannot hold";
  if (!text.isWellFormed()) return "contains an unpaired UTF-16 surrogate, which is not Unicode text";
  return undefined;
}

/**
 * `text` in a form PostgreSQL text and jsonb accept: U+0000 and unpaired surrogates become
 * U+FFFD. Only for metadata kept for inspection (headers, keys), never for what is delivered.
 */
export function toStorableText(text: string): string {
  return text.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

/**
 * The first string (object keys included) in a parsed JSON value that `unstorableText`
 * refuses, as `path: why`: such a value would fail the database transaction of every
 * batch it is in, or be mangled on the way out, so it is refused at decode instead.
 */
export function findUnstorableText(value: unknown, path = "value", depth = 0): string | undefined {
  if (typeof value === "string") {
    const why = unstorableText(value);
    return why === undefined ? undefined : `${path} ${why}`;
  }
  if (typeof value !== "object" || value === null || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyWhy = unstorableText(key);
    if (keyWhy) return `a key in ${path} ${keyWhy}`;
    const found = findUnstorableText(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
