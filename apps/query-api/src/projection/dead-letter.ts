import {
  DOMAINS,
  type Domain,
  deadLetterOf,
  domainOfEventType,
  unstorableText,
} from "@fluxnotify/shared/contracts";
import type { ConsumedMessage, DeadLetterWriter, PoisonFailure } from "@fluxnotify/shared/kafka";

/** Where a delivery event whose domain cannot be read is dead-lettered (as the channel workers do). */
const FALLBACK_DOMAIN: Domain = "payment";

/** Fields of a delivery event that can still be read from a record that failed validation. */
function identityOf(value: Buffer | undefined) {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(value?.toString("utf8") ?? "");
    if (parsed && typeof parsed === "object") raw = parsed as Record<string, unknown>;
  } catch {
    // not JSON: nothing to read
  }
  const text = (field: string) => {
    const item = raw[field];
    return typeof item === "string" && item.length <= 200 && !unstorableText(item) ? item : undefined;
  };
  const eventType = text("eventType");
  const domain = eventType ? domainOfEventType(eventType) : undefined;
  return {
    domain: domain && (DOMAINS as readonly string[]).includes(domain) ? domain : FALLBACK_DOMAIN,
    eventId: text("eventId"),
    notificationId: text("notificationId"),
    tenantId: text("tenantId"),
    channel: text("channel"),
  };
}

/**
 * Dead-letters a delivery-events record the read model cannot take (invalid, or refused by
 * the database): the projection moves on, and the record is visible in dlq-admin with its
 * reason, replayable to the delivery-events topic once the cause is fixed.
 */
export function createProjectionDeadLetter(writer: DeadLetterWriter, dlqTopicPrefix: string) {
  return async (message: ConsumedMessage, failure: PoisonFailure): Promise<void> => {
    const { domain, ...identity } = identityOf(message.value);
    await writer.send([
      deadLetterOf(`${dlqTopicPrefix}${domain}`, message, {
        errorMessage: failure.reason,
        errorCode: failure.code,
        retryCount: 0,
        ...Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)),
      }),
    ]);
  };
}
