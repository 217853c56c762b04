import { type Domain, fluxpayTopic } from "@fluxnotify/shared/contracts";
import type { OutgoingMessage } from "@fluxnotify/shared/kafka";
import { fluxpayEvent } from "@fluxnotify/shared/testing/fluxpay";
import type { PlannedEvent } from "./mix";

const DATA_MARKER = ',"data":';

/**
 * The Kafka record FluxPay's publisher would write for `event`, now (its CloudEvents time
 * and occurredAt are the moment of encoding): structured JSON, the same JSON wrapped in a
 * JSON string with a Spring `__TypeId__` header, or binary mode (ce_* headers, data alone).
 */
export function encodeEvent(
  event: PlannedEvent,
  topicOf: (domain: Domain) => string = fluxpayTopic,
): OutgoingMessage {
  const { json } = fluxpayEvent(event.tenantId, event.type, event.data, { id: event.id });
  const base = { topic: topicOf(event.domain), key: `${event.tenantId}:${event.aggregateId}` };
  if (event.encoding === "structured") return { ...base, value: json };
  if (event.encoding === "structured-string") {
    return {
      ...base,
      value: JSON.stringify(json),
      headers: { __TypeId__: "com.fluxpay.outbox.CloudEventMessage" },
    };
  }
  const split = json.indexOf(DATA_MARKER);
  const envelope = JSON.parse(`${json.slice(0, split)}}`) as Record<string, string>;
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const name of ["specversion", "id", "source", "type", "time", "tenantid"]) {
    const value = envelope[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  return { ...base, value: json.slice(split + DATA_MARKER.length, -1), headers };
}
