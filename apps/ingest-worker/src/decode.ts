import {
  type Domain,
  decodeCloudEvent,
  domainOfEventType,
  findUnstorableText,
  isKnownEventType,
  validateEventData,
} from "@fluxnotify/shared/contracts";
import type { SourceRecord } from "./dead-letter";
import type { ValidEvent } from "./process-event";

export type DecodeOutcome =
  | { kind: "valid"; event: ValidEvent }
  | { kind: "unknown_type"; type: string }
  | { kind: "invalid"; code: string; reason: string; eventId?: string; tenantId?: string; type?: string };

/**
 * Bytes → a validated FluxPay event, or the precise reason it is not one. The domain of
 * a valid event comes from its type; the record's topic decides only where a bad record
 * is dead-lettered. What the stores cannot hold (U+0000, unpaired surrogates, bytes that
 * are not UTF-8) is refused here, before it can fail the batch's transaction.
 */
export function decodeRecord(record: SourceRecord, maxBytes: number): DecodeOutcome {
  const decoded = decodeCloudEvent(
    { value: record.value, headers: record.headers, encodingProblems: record.encodingProblems },
    maxBytes,
  );
  if (!decoded.ok) {
    return {
      kind: "invalid",
      code: decoded.code,
      reason: decoded.reason,
      ...(decoded.eventId ? { eventId: decoded.eventId } : {}),
    };
  }
  const { event } = decoded;
  const known = { eventId: event.id, tenantId: event.tenantid };
  if (!isKnownEventType(event.type)) return { kind: "unknown_type", type: event.type };
  const validation = validateEventData(event.type, event.data);
  if (!validation.ok) {
    return { kind: "invalid", code: "INVALID_DATA", reason: validation.reason, ...known, type: event.type };
  }
  const unstorable = findUnstorableText(validation.data, "data");
  if (unstorable) {
    return { kind: "invalid", code: "INVALID_DATA", reason: unstorable, ...known, type: event.type };
  }
  const domain = domainOfEventType(event.type) as Domain;
  return { kind: "valid", event: { event, type: event.type, data: validation.data, domain, record } };
}

/** The event id and tenant of a record, where they can be read (for a dead letter's headers). */
export function identityOf(record: SourceRecord): { eventId?: string; tenantId?: string } {
  const decoded = decodeRecord(record, Number.MAX_SAFE_INTEGER);
  if (decoded.kind === "valid")
    return { eventId: decoded.event.event.id, tenantId: decoded.event.event.tenantid };
  if (decoded.kind === "invalid") {
    const { eventId, tenantId } = decoded;
    return { ...(eventId ? { eventId } : {}), ...(tenantId ? { tenantId } : {}) };
  }
  return {};
}
