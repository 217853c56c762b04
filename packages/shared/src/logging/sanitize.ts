/**
 * Structural masking of what a log call hands pino: secrets by field name at any depth,
 * errors by shape (query parameters dropped, messages cut, causes followed). Pattern masking
 * of the finished line (scrub.ts) comes after and catches what no field name announces.
 */

export const REDACTED = "[Redacted]";

// Field names whose value is a credential wherever it sits: `password`, `smtpPass`,
// `jwtSecret`, `token`, `accessToken`, `authorization`, `cookie`, `set-cookie`, `apiKey`,
// `privateKey`, a push subscription's `p256dh` and `auth`, `webhookUrl`, `smtpUrl`, ...
const SECRET_KEY =
  /pass(?:word|wd)?$|secret|token$|^auth$|authorization|cookie|api[-_]?key|private[-_]?key|p256dh|webhook[-_]?url|smtp[-_]?url|credential/i;

// Inside an error these carry the values a query was run with, or a whole request/response
// (bodies, headers): never logged, whatever the library calls them.
const OMITTED_ERROR_KEYS = new Set([
  "parameters",
  "params",
  "args",
  "types",
  "body",
  "rawBody",
  "request",
  "response",
  "options",
  "config",
]);
// Handled explicitly by errorToObject.
const ERROR_OWN_KEYS = new Set(["name", "message", "stack", "cause", "errors"]);

/** Beyond this nesting a value is replaced: logs are not the place for whole object graphs. */
const MAX_DEPTH = 6;
const MAX_AGGREGATED = 10;

// A Web Push subscription's endpoint is a capability URL: its path lets anyone push to the
// device. The origin stays (which push service), the path goes, whatever the host.
const CAPABILITY_URL_KEY = /endpoint$/i;

type KeyKind = "plain" | "secret" | "capability-url";

// Field names come from code, so the set is small; the bound only guards against logging
// objects keyed by data.
const kinds = new Map<string, KeyKind>();
function kindOf(key: string): KeyKind {
  let kind = kinds.get(key);
  if (kind === undefined) {
    kind = SECRET_KEY.test(key) ? "secret" : CAPABILITY_URL_KEY.test(key) ? "capability-url" : "plain";
    if (kinds.size < 1_000) kinds.set(key, kind);
  }
  return kind;
}

function originOnly(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}/***`;
  } catch {
    return REDACTED;
  }
}

/**
 * The merge object of a log call with secrets redacted and errors serialized at any depth.
 * Returns the same object when nothing needed a change, so plain lines allocate nothing.
 * `skip` names top-level fields a pino serializer owns (`err`).
 */
export function sanitizeFields(object: Record<string, unknown>, skip?: string): Record<string, unknown> {
  return sanitizeObject(object, 0, skip);
}

function sanitizeObject(object: object, depth: number, skip?: string): Record<string, unknown> {
  const source = object as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    if (key === skip) continue;
    const value = source[key];
    const next = sanitizeValue(key, value, depth);
    if (next !== value) {
      copy ??= { ...source };
      copy[key] = next;
    }
  }
  return copy ?? source;
}

function sanitizeValue(key: string, value: unknown, depth: number): unknown {
  if (value === null || value === undefined) return value;
  const kind = kindOf(key);
  if (kind === "secret") return value === "" ? value : REDACTED;
  if (typeof value !== "object")
    return kind === "capability-url" && value !== "" ? originOnly(String(value)) : value;
  if (value instanceof Error) return errorToObject(value, depth, new Set());
  if (depth >= MAX_DEPTH) return "[Truncated]";
  // A Buffer serializes as every byte: a record value or payload is data, not a log field.
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const next = sanitizeValue("", item, depth + 1);
      if (next !== item) {
        copy ??= [...value];
        copy[index] = next;
      }
    });
    return copy ?? value;
  }
  return sanitizeObject(value, depth + 1);
}

/**
 * An error as a plain object: `type`, `message`, `stack`, its own fields (code, SQLSTATE
 * fields of a PostgresError, ...), `cause` and an AggregateError's `errors`, each nested error
 * the same way. What carries bound values is dropped or cut (see below).
 */
export function serializeError(value: unknown): unknown {
  if (value instanceof Error) return errorToObject(value, 0, new Set());
  if (value !== null && typeof value === "object") return sanitizeValue("err", value, 0);
  return value;
}

function errorToObject(error: Error, depth: number, seen: Set<Error>): Record<string, unknown> {
  seen.add(error);
  const fields = error as unknown as Record<string, unknown>;
  let message = withoutQueryParams(String(error.message));
  // PostgreSQL's data exceptions (SQLSTATE class 22) end their message with the input they
  // refused, which is a bound value: 'invalid input syntax for type bigint: "…"'.
  if (
    typeof fields.severity === "string" &&
    typeof fields.code === "string" &&
    fields.code.startsWith("22")
  ) {
    message = message.replace(/: ".*"$/s, ': "…"');
  }
  const out: Record<string, unknown> = { type: error.constructor?.name || error.name, message };
  if (typeof error.stack === "string") {
    out.stack = message === error.message ? error.stack : error.stack.replace(error.message, () => message);
  }
  for (const key of Object.keys(fields)) {
    if (ERROR_OWN_KEYS.has(key) || OMITTED_ERROR_KEYS.has(key)) continue;
    out[key] = nested(key, fields[key], depth, seen);
  }
  // PostgreSQL's detail quotes the data: "Key (email)=(alice@…) already exists",
  // "Failing row contains (…every column…)". The columns stay, the values go.
  if (typeof out.detail === "string") out.detail = withoutRowValues(out.detail);
  if (error.cause !== undefined) out.cause = nested("cause", error.cause, depth, seen);
  const aggregated = (error as { errors?: unknown }).errors;
  if (Array.isArray(aggregated)) {
    out.errors = aggregated.slice(0, MAX_AGGREGATED).map((item) => nested("", item, depth, seen));
    if (aggregated.length > MAX_AGGREGATED) out.errorsOmitted = aggregated.length - MAX_AGGREGATED;
  }
  return out;
}

function nested(key: string, value: unknown, depth: number, seen: Set<Error>): unknown {
  if (!(value instanceof Error)) return sanitizeValue(key, value, depth + 1);
  if (seen.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated]";
  return errorToObject(value, depth + 1, seen);
}

/** drizzle: "Failed query: <sql>\nparams: <values>" → "Failed query: <sql>". */
export function withoutQueryParams(message: string): string {
  const at = message.indexOf("\nparams: ");
  return at === -1 ? message : message.slice(0, at);
}

function withoutRowValues(detail: string): string {
  return detail.replace(/\)=\(.*\)/s, ")=(…)").replace(/(Failing row contains )\(.*\)/s, "$1(…)");
}
