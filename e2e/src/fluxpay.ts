import { randomUUID } from "node:crypto";
import { createProducer, type KafkaProducer, type OutgoingMessage } from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { fluxpayEvent } from "@fluxnotify/shared/testing/fluxpay";
import { E2E } from "./resources";

/** CONTRACT §1: how an envelope may travel. */
export type Encoding = "structured" | "string-wrapped" | "binary";
export const ENCODINGS: Encoding[] = ["structured", "string-wrapped", "binary"];

export interface FluxPayEvent {
  id: string;
  tenantId: string;
  /** Full type, e.g. com.fluxpay.payment.approved. */
  type: string;
  /** Data fields; a value "num:15000.00" is sent as the bare JSON number 15000.00. */
  data: Record<string, unknown>;
}

const AGGREGATE_ID: Record<string, string> = {
  payment: "paymentId",
  order: "orderId",
  refund: "refundId",
  subscription: "subscriptionId",
};

export const shortType = (type: string) => type.replace(/^com\.fluxpay\./, "");
const domainOf = (type: string) => shortType(type).split(".")[0] as string;

export function event(tenantId: string, short: string, data: Record<string, unknown>): FluxPayEvent {
  return { id: randomUUID(), tenantId, type: `com.fluxpay.${short}`, data };
}

/** The data JSON with exact decimals, as FluxPay's Java serializer writes BigDecimal. */
function dataJson(event: FluxPayEvent): string {
  const data = { eventId: event.id, occurredAt: new Date().toISOString(), ...event.data };
  return JSON.stringify(data).replace(/"num:(-?[0-9.]+)"/g, "$1");
}

/** The Kafka record FluxPay's publisher (or a differently configured producer) would write. */
export function encode(event: FluxPayEvent, encoding: Encoding): OutgoingMessage {
  const domain = domainOf(event.type);
  const aggregateId = String(event.data[AGGREGATE_ID[domain] ?? "eventId"] ?? event.id);
  const base = { topic: `fluxpay.${domain}.events`, key: `${event.tenantId}:${aggregateId}` };
  const data = dataJson(event);
  if (encoding === "binary") {
    const occurredAt = /"occurredAt":"([^"]+)"/.exec(data)?.[1] ?? new Date().toISOString();
    return {
      ...base,
      value: data,
      headers: {
        ce_specversion: "1.0",
        ce_id: event.id,
        ce_type: event.type,
        ce_source: "fluxpay-engine",
        ce_time: occurredAt,
        ce_tenantid: event.tenantId,
        "content-type": "application/json",
      },
    };
  }
  const { json } = fluxpayEvent(event.tenantId, event.type, {}, { id: event.id, rawData: data });
  if (encoding === "structured") return { ...base, value: json };
  // A serializer that JSON-encodes an already serialized string, as Spring's JsonSerializer does.
  return { ...base, value: JSON.stringify(json), headers: { __TypeId__: "java.lang.String" } };
}

export interface FluxPayPublisher {
  publish(events: Array<[FluxPayEvent, Encoding]>): Promise<void>;
  /** Any record, e.g. a malformed one. */
  send(messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export function fluxpayPublisher(): FluxPayPublisher {
  const producer: KafkaProducer = createProducer({
    connection: { brokers: [`127.0.0.1:${E2E.brokerPort}`], clientId: `e2e-fluxpay-${process.pid}` },
    logger: createLogger({ name: "e2e-fluxpay", level: "warn" }),
    registry: createMetricsRegistry("e2e"),
  });
  return {
    publish: (events) => producer.send(events.map(([e, encoding]) => encode(e, encoding))),
    send: (messages) => producer.send(messages),
    close: () => producer.close(),
  };
}
