import { deadLetterOf, replayHeadersOf, withReplayOutcomes } from "../contracts/dlq";
import { DOMAINS, type Domain, domainOfEventType } from "../contracts/fluxpay-events";
import type { ChannelCommand } from "../contracts/messages";
import { deliveryEventFor, deliveryEventPayload, shownRecipient } from "../contracts/records";
import type { Channel } from "../contracts/topics";
import type { ConsumedMessage, OutgoingMessage } from "../kafka/index";

export interface DeadLetterTarget {
  dlqTopicPrefix: string;
  deliveryEventsTopic: string;
  /** Where delivery events of replayed commands are copied for dlq-admin (none: not copied). */
  replayOutcomesTopic?: string | undefined;
  /** Where a command whose domain cannot be read at all goes (it is our own bug, not input). */
  fallbackDomain: Domain;
}

export interface Failure {
  code: string;
  message: string;
  retryCount: number;
  attempts: number;
}

/** Best effort for commands that failed validation: the domain decides the DLQ topic. */
function domainOf(message: ConsumedMessage, fallback: Domain): Domain {
  try {
    const raw = JSON.parse(message.value?.toString("utf8") ?? "") as {
      domain?: unknown;
      eventType?: unknown;
    };
    if (typeof raw.domain === "string" && (DOMAINS as readonly string[]).includes(raw.domain)) {
      return raw.domain as Domain;
    }
    if (typeof raw.eventType === "string") return domainOfEventType(raw.eventType) ?? fallback;
  } catch {
    // not JSON: fall through
  }
  return fallback;
}

/** A dead letter, and what is produced with it in the same request (its FAILED event). */
export interface DeadLetterRecords {
  deadLetter: OutgoingMessage;
  alongside: OutgoingMessage[];
}

/**
 * The DLQ record keeps the original key and value (so a replay is the original command)
 * and the original headers (trace id; `X-Replay-Of`, which links a failed replay to the
 * dead letter it came from), with the CONTRACT §3 headers on top; a parsed
 * command also gets its FAILED delivery event in the same produce request.
 */
export function deadLetterRecords(
  message: ConsumedMessage,
  channel: Channel,
  command: ChannelCommand | undefined,
  failure: Failure,
  target: DeadLetterTarget,
): DeadLetterRecords {
  const failedAt = new Date();
  const domain = command?.domain ?? domainOf(message, target.fallbackDomain);
  const deadLetter: OutgoingMessage = deadLetterOf(`${target.dlqTopicPrefix}${domain}`, message, {
    errorMessage: failure.message,
    errorCode: failure.code,
    retryCount: failure.retryCount,
    channel,
    eventId: command?.eventId ?? message.headers["x-event-id"],
    notificationId: command?.notificationId ?? message.headers["x-notification-id"],
    tenantId: command?.tenantId,
    failedAt,
  });
  if (!command) return { deadLetter, alongside: [] };
  const event = deliveryEventPayload(
    deliveryEventFor(command, {
      status: "FAILED",
      channel,
      recipient: shownRecipient(command),
      at: failedAt.toISOString(),
      attempts: failure.attempts,
      reasonCode: failure.code,
      errorMessage: failure.message.slice(0, 2_000),
    }),
  );
  const headers = { ...event.headers, ...replayHeadersOf(message.headers) };
  const alongside = [{ ...event, topic: target.deliveryEventsTopic, headers }];
  return {
    deadLetter,
    alongside: withReplayOutcomes(alongside, target.deliveryEventsTopic, target.replayOutcomesTopic),
  };
}
