import { deadLetterHeaders } from "@fluxnotify/shared/contracts";
import type { ConsumedMessage, KafkaProducer, OutgoingMessage } from "@fluxnotify/shared/kafka";

/** The coordinates and bytes of a FluxPay record, as consumed or as parked. */
export type SourceRecord = Omit<ConsumedMessage, "timestamp">;

/**
 * Sends a record to its domain's dead-letter topic with the original key, value and
 * headers plus CONTRACT §3 headers. Resolves once the broker has it, so the caller may
 * then commit past the source record.
 */
export async function deadLetter(
  producer: KafkaProducer,
  dlqTopic: string,
  record: SourceRecord,
  failure: DeadLetterFailure,
): Promise<void> {
  await producer.send([deadLetterRecord(dlqTopic, record, failure)]);
}

export interface DeadLetterFailure {
  code: string;
  reason: string;
  eventId?: string | undefined;
}

export function deadLetterRecord(
  dlqTopic: string,
  record: SourceRecord,
  failure: DeadLetterFailure,
): OutgoingMessage {
  return {
    topic: dlqTopic,
    key: record.key,
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      ...deadLetterHeaders({
        errorMessage: failure.reason,
        errorCode: failure.code,
        retryCount: 0,
        originalTopic: record.topic,
        originalPartition: record.partition,
        originalOffset: record.offset.toString(),
        eventId: failure.eventId,
      }),
    },
  };
}
