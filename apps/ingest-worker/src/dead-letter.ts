import { deadLetterOf } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage, OutgoingMessage } from "@fluxnotify/shared/kafka";

/** The coordinates and bytes of a FluxPay record, as consumed or as parked. */
export type SourceRecord = Omit<ConsumedMessage, "timestamp">;

export interface DeadLetterFailure {
  code: string;
  reason: string;
  eventId?: string | undefined;
  tenantId?: string | undefined;
}

/**
 * A record for its domain's dead-letter topic: the original key (its exact bytes), value
 * and headers plus the CONTRACT §3 headers. The caller writes it through the dead-letter
 * writer (which handles records too large to dead-letter as they are) once the rest of its
 * batch is durable, and before the runner commits past the source record.
 */
export function deadLetterRecord(
  dlqTopic: string,
  record: SourceRecord,
  failure: DeadLetterFailure,
): OutgoingMessage {
  return deadLetterOf(dlqTopic, record, {
    errorMessage: failure.reason,
    errorCode: failure.code,
    retryCount: 0,
    eventId: failure.eventId,
    tenantId: failure.tenantId,
  });
}
