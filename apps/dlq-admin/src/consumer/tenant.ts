import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage } from "@fluxnotify/shared/kafka";

/** Longer than any tenant id we issue; what a token's `tenant` claim may hold. */
const MAX_TENANT_CHARS = 256;
/** Dead letters can be large (up to the broker's limit); parsing more to find one field is not worth it. */
const MAX_PARSED_BYTES = 1024 * 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A tenant id as the platform uses it: exact (not trimmed), storable, and not blank. */
function readable(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (value.length > MAX_TENANT_CHARS || value.includes("\u0000")) return undefined;
  return value;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : headers[key];
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The envelope a value carries: a CloudEvent or channel command as a JSON object, or that
 * object wrapped once more in a JSON string (CONTRACT §1).
 */
function envelopeOf(value: Buffer | null | undefined): Record<string, unknown> | undefined {
  if (!value || value.byteLength === 0 || value.byteLength > MAX_PARSED_BYTES) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(value);
  } catch {
    return undefined;
  }
  let parsed = parse(text);
  if (typeof parsed === "string") parsed = parse(parsed);
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

/**
 * Whose dead letter this is, for the admin of that tenant (CONTRACT §4). In order: the
 * `X-Tenant-Id` the dead-lettering worker wrote; a binary-mode CloudEvent's `ce_tenantid`;
 * the value's CloudEvent `tenantid` or channel command `tenantId`. Never throws: a value
 * that cannot be read (not UTF-8, not JSON, a NUL, too long) yields null, and the dead
 * letter is then an operator's to handle.
 */
export function tenantOf(message: Pick<ConsumedMessage, "headers" | "value">): string | null {
  const fromHeaders =
    readable(header(message.headers, DLQ_HEADERS.tenantId)) ??
    readable(header(message.headers, "ce_tenantid"));
  if (fromHeaders) return fromHeaders;
  const envelope = envelopeOf(message.value);
  return readable(envelope?.tenantid) ?? readable(envelope?.tenantId) ?? null;
}
