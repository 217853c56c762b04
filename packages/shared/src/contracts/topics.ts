import type { Domain } from "./fluxpay-events";
import { DOMAINS } from "./fluxpay-events";

/** Channels we deliver through. Adding one = a value here + its command topic + its app. */
export const CHANNELS = ["EMAIL", "SLACK", "IN_APP"] as const;
export type Channel = (typeof CHANNELS)[number];

export const fluxpayTopic = (domain: Domain) => `fluxpay.${domain}.events`;
export const dlqTopic = (domain: Domain) => `notification.dlq.${domain}`;
export const commandTopic = (channel: Channel) =>
  `notification.commands.${channel.toLowerCase().replace("_", "")}`;
export const DELIVERY_EVENTS_TOPIC = "notification.delivery.events";

/** CONTRACT §3: the groups FluxPay operators see consuming their topics. */
export const INGEST_CONSUMER_GROUPS: Record<Domain, string> = {
  payment: "notif-payment",
  subscription: "notif-subscription",
  order: "notif-order",
  refund: "notif-refund",
};

export interface TopicSpec {
  name: string;
  partitions: number;
  configs?: Record<string, string>;
}

/**
 * Every topic the platform uses, created explicitly (auto-creation is off on our brokers).
 * Partition counts bound consumer parallelism per group; 6 leaves room to scale a worker
 * to 6 processes. The delivery-events topic is the read model's source of truth and must be
 * retained long enough to rebuild it (docs/operations.md).
 */
export function topology(options: { partitions?: number } = {}): TopicSpec[] {
  const partitions = options.partitions ?? 6;
  return [
    ...DOMAINS.map((domain) => ({ name: fluxpayTopic(domain), partitions })),
    ...CHANNELS.map((channel) => ({ name: commandTopic(channel), partitions })),
    { name: DELIVERY_EVENTS_TOPIC, partitions, configs: { "retention.ms": String(30 * 24 * 3600 * 1000) } },
    ...DOMAINS.map((domain) => ({ name: dlqTopic(domain), partitions: 3 })),
  ];
}
