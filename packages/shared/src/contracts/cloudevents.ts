import { parseJsonExact } from "./json";
import { parseInstant } from "./time";

/** A CloudEvents 1.0 event as FluxPay sends it; `data` is still unvalidated. */
export interface CloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  tenantid: string;
  time?: string;
  datacontenttype?: string;
  data: unknown;
}

export type CloudEventEncoding = "structured" | "structured-string" | "binary";

export type DecodeFailureCode = "VALUE_TOO_LARGE" | "EMPTY_VALUE" | "MALFORMED_JSON" | "INVALID_ENVELOPE";

export type DecodeResult =
  | { ok: true; event: CloudEvent; encoding: CloudEventEncoding }
  | { ok: false; code: DecodeFailureCode; reason: string };

export interface EncodedRecord {
  value: Buffer | null | undefined;
  /** Kafka record headers, names as sent. */
  headers: Readonly<Record<string, string>>;
}

export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

const REQUIRED_STRING_ATTRIBUTES = ["specversion", "id", "source", "type", "tenantid"] as const;

function fail(code: DecodeFailureCode, reason: string): DecodeResult {
  return { ok: false, code, reason };
}

function parse(text: string, what: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: parseJsonExact(text) };
  } catch (error) {
    return { ok: false, reason: `${what} is not valid JSON: ${(error as Error).message}` };
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function validateEnvelope(candidate: Record<string, unknown>, encoding: CloudEventEncoding): DecodeResult {
  const where = encoding === "binary" ? "header ce_" : "attribute ";
  for (const name of REQUIRED_STRING_ATTRIBUTES) {
    const value = candidate[name];
    if (value === undefined || value === null)
      return fail("INVALID_ENVELOPE", `missing required ${where}${name}`);
    if (typeof value !== "string" || value.trim() === "") {
      return fail(
        "INVALID_ENVELOPE",
        `${where}${name} must be a non-empty string, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (candidate.specversion !== "1.0") {
    return fail(
      "INVALID_ENVELOPE",
      `unsupported specversion ${JSON.stringify(candidate.specversion)}, expected "1.0"`,
    );
  }
  if (
    candidate.time !== undefined &&
    (typeof candidate.time !== "string" || !parseInstant(candidate.time).ok)
  ) {
    return fail(
      "INVALID_ENVELOPE",
      `${where}time must be an RFC 3339 timestamp, got ${JSON.stringify(candidate.time)}`,
    );
  }
  if (candidate.data === undefined || candidate.data === null) {
    return fail(
      "INVALID_ENVELOPE",
      encoding === "binary" ? "binary-mode record has no data in its value" : "missing data",
    );
  }
  const event: CloudEvent = {
    specversion: candidate.specversion as string,
    id: candidate.id as string,
    source: candidate.source as string,
    type: candidate.type as string,
    tenantid: candidate.tenantid as string,
    data: candidate.data,
  };
  if (typeof candidate.time === "string") event.time = candidate.time;
  if (typeof candidate.datacontenttype === "string") event.datacontenttype = candidate.datacontenttype;
  return { ok: true, event, encoding };
}

/**
 * Decodes the three encodings FluxPay producers use (CONTRACT §1): a structured JSON
 * object, that object wrapped once more in a JSON string, or binary mode with `ce_*`
 * headers and `data` alone as the value. Never throws; a failure says exactly what to fix.
 */
export function decodeCloudEvent(record: EncodedRecord, maxBytes = DEFAULT_MAX_EVENT_BYTES): DecodeResult {
  const value = record.value;
  if (value && value.byteLength > maxBytes) {
    return fail("VALUE_TOO_LARGE", `value is ${value.byteLength} bytes, over the ${maxBytes}-byte limit`);
  }
  const headers = lowerCaseKeys(record.headers);
  const binary = headers.ce_specversion !== undefined;
  if (!value || value.byteLength === 0) {
    return fail(
      "EMPTY_VALUE",
      binary ? "binary-mode record has an empty value (no data)" : "record value is empty",
    );
  }
  const text = value.toString("utf8");

  if (binary) {
    const parsed = parse(text, "binary-mode data");
    if (!parsed.ok) return fail("MALFORMED_JSON", parsed.reason);
    const attributes: Record<string, unknown> = { data: parsed.value };
    for (const [name, headerValue] of Object.entries(headers)) {
      if (name.startsWith("ce_")) attributes[name.slice(3)] = headerValue;
    }
    attributes.datacontenttype ??= headers["content-type"];
    return validateEnvelope(attributes, "binary");
  }

  const parsed = parse(text, "value");
  if (!parsed.ok) return fail("MALFORMED_JSON", parsed.reason);
  let envelope = parsed.value;
  let encoding: CloudEventEncoding = "structured";
  if (typeof envelope === "string") {
    const inner = parse(envelope, "JSON-string-wrapped value");
    if (!inner.ok) return fail("MALFORMED_JSON", inner.reason);
    envelope = inner.value;
    encoding = "structured-string";
  }
  if (typeof envelope !== "object" || envelope === null || Array.isArray(envelope)) {
    return fail(
      "INVALID_ENVELOPE",
      `value must be a JSON object, got ${Array.isArray(envelope) ? "array" : typeof envelope}`,
    );
  }
  return validateEnvelope(envelope as Record<string, unknown>, encoding);
}
