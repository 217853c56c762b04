import { decodeUtf8, findUnstorableText, parseJsonExact, unstorableText } from "./json";
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

export type DecodeFailureCode =
  | "VALUE_TOO_LARGE"
  | "EMPTY_VALUE"
  | "MALFORMED_ENCODING"
  | "MALFORMED_JSON"
  | "INVALID_ENVELOPE";

export type DecodeResult =
  | { ok: true; event: CloudEvent; encoding: CloudEventEncoding }
  /** `eventId`: the record's id whenever it can be read, even from an invalid envelope. */
  | { ok: false; code: DecodeFailureCode; reason: string; eventId?: string };

export interface EncodedRecord {
  value: Buffer | null | undefined;
  /** Kafka record headers, names as sent. */
  headers: Readonly<Record<string, string>>;
  /** Parts of the record that were not UTF-8 (see ConsumedMessage.encodingProblems). */
  encodingProblems?: readonly string[] | undefined;
}

export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

const REQUIRED_STRING_ATTRIBUTES = ["specversion", "id", "source", "type", "tenantid"] as const;

function fail(code: DecodeFailureCode, reason: string, eventId?: string): DecodeResult {
  return eventId === undefined ? { ok: false, code, reason } : { ok: false, code, reason, eventId };
}

/** The envelope's `id` when it is a usable string, so a dead letter can still name it. */
function readableId(candidate: Record<string, unknown>): string | undefined {
  const { id } = candidate;
  return typeof id === "string" && id.trim() !== "" && id.length <= 200 && !unstorableText(id)
    ? id
    : undefined;
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

/** The id of a structured value that is not UTF-8, when the id itself came through intact. */
function idOfLossy(value: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(value.toString("utf8"));
    if (!parsed || typeof parsed !== "object") return undefined;
    const id = readableId(parsed as Record<string, unknown>);
    return id?.includes("\uFFFD") ? undefined : id;
  } catch {
    return undefined;
  }
}

/** Attribute values are short identifiers; anything longer is not an envelope we know. */
const MAX_ATTRIBUTE_CHARS = 1_000;

function validateEnvelope(candidate: Record<string, unknown>, encoding: CloudEventEncoding): DecodeResult {
  const where = encoding === "binary" ? "header ce_" : "attribute ";
  const eventId = readableId(candidate);
  const invalid = (reason: string) => fail("INVALID_ENVELOPE", reason, eventId);
  for (const name of REQUIRED_STRING_ATTRIBUTES) {
    const value = candidate[name];
    if (value === undefined || value === null) return invalid(`missing required ${where}${name}`);
    if (typeof value !== "string" || value.trim() === "") {
      return invalid(
        `${where}${name} must be a non-empty string, got ${JSON.stringify(value)?.slice(0, 100)}`,
      );
    }
    if (value.length > MAX_ATTRIBUTE_CHARS) {
      return invalid(
        `${where}${name} is ${value.length} characters, over the ${MAX_ATTRIBUTE_CHARS} allowed`,
      );
    }
  }
  for (const name of [...REQUIRED_STRING_ATTRIBUTES, "time", "datacontenttype"]) {
    const value = candidate[name];
    const why = typeof value === "string" ? unstorableText(value) : undefined;
    if (why) return invalid(`${where}${name} ${why}`);
  }
  if (candidate.specversion !== "1.0") {
    return invalid(`unsupported specversion ${JSON.stringify(candidate.specversion)}, expected "1.0"`);
  }
  if (
    candidate.time !== undefined &&
    (typeof candidate.time !== "string" || !parseInstant(candidate.time).ok)
  ) {
    return invalid(
      `${where}time must be an RFC 3339 timestamp, got ${JSON.stringify(candidate.time)?.slice(0, 100)}`,
    );
  }
  if (candidate.data === undefined || candidate.data === null) {
    return invalid(encoding === "binary" ? "binary-mode record has no data in its value" : "missing data");
  }
  // Only what the platform keeps is checked here; data fields are checked after validation
  // (unknown fields are dropped there, so a stray one can not make an event unusable).
  const unstorableData =
    typeof candidate.data === "string" ? findUnstorableText(candidate.data, "data") : undefined;
  if (unstorableData) return invalid(unstorableData);
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
  // Bytes that are not UTF-8 are malformed, never decoded into U+FFFD and delivered.
  const text = decodeUtf8(value);
  if (text === undefined) {
    const reason = `${binary ? "binary-mode data" : "value"} is not valid UTF-8`;
    return fail("MALFORMED_ENCODING", reason, binary ? undefined : idOfLossy(value));
  }

  if (binary) {
    const badHeader = record.encodingProblems?.find((part) => /^header ce_/i.test(part));
    if (badHeader) {
      const id = /^header ce_id$/i.test(badHeader) ? undefined : readableId({ id: headers.ce_id });
      return fail("MALFORMED_ENCODING", `${badHeader} is not valid UTF-8`, id);
    }
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
