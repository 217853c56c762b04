import {
  type Domain,
  decodeCloudEvent,
  domainOfEventType,
  isKnownEventType,
  validateEventData,
} from "@fluxnotify/shared/contracts";
import type { SourceRecord } from "./dead-letter";
import type { ValidEvent } from "./process-event";

export type DecodeOutcome =
  | { kind: "valid"; event: ValidEvent }
  | { kind: "unknown_type"; type: string }
  | { kind: "invalid"; code: string; reason: string; eventId?: string; type?: string };

/**
 * Bytes → a validated FluxPay event, or the precise reason it is not one. The domain of
 * a valid event comes from its type; the record's topic decides only where a bad record
 * is dead-lettered.
 */
export function decodeRecord(record: SourceRecord, maxBytes: number): DecodeOutcome {
  const decoded = decodeCloudEvent({ value: record.value, headers: record.headers }, maxBytes);
  if (!decoded.ok) return { kind: "invalid", code: decoded.code, reason: decoded.reason };
  const { event } = decoded;
  if (!isKnownEventType(event.type)) return { kind: "unknown_type", type: event.type };
  const validation = validateEventData(event.type, event.data);
  if (!validation.ok) {
    return {
      kind: "invalid",
      code: "INVALID_DATA",
      reason: validation.reason,
      eventId: event.id,
      type: event.type,
    };
  }
  const domain = domainOfEventType(event.type) as Domain;
  return { kind: "valid", event: { event, type: event.type, data: validation.data, domain, record } };
}
