import { CHANNEL_DEFINITIONS, CHANNELS, type Channel } from "../channels/index";
import type { Domain } from "./fluxpay-events";
import { DOMAINS } from "./fluxpay-events";

/** Channels we deliver through: each is one definition in packages/shared/src/channels. */
export { CHANNELS, type Channel };

export const fluxpayTopic = (domain: Domain) => `fluxpay.${domain}.events`;
export const dlqTopic = (domain: Domain) => `notification.dlq.${domain}`;
export const commandTopic = (channel: Channel) => CHANNEL_DEFINITIONS[channel].commandTopic;
export const DELIVERY_EVENTS_TOPIC = "notification.delivery.events";
/**
 * A copy of every delivery event produced for a replayed record (one carrying
 * `X-Replay-Of`): how dlq-admin learns how replays ended without reading all traffic.
 */
export const REPLAY_OUTCOMES_TOPIC = "notification.replay.outcomes";
/**
 * Originals of dead letters too large to write as they are (gzipped, keyed by SHA-256):
 * the dead letter carries the digest, dlq-admin keeps the original for operators.
 */
export const ORIGINALS_TOPIC = "notification.dlq.originals";
/** The originals topic's max.message.bytes: the largest original that can be kept. */
export const MAX_ORIGINAL_BYTES = 16 * 1024 * 1024;

/**
 * Where dlq-admin replays a dead-lettered FluxPay record: FluxPay's own topics are never
 * written by us, so the ingest worker's group for the domain reads this topic as well.
 */
export const replayTopic = (domain: Domain) => `notification.replay.${domain}`;

/**
 * Where a dead letter that failed on a topic (the key) is replayed to. Only topics our own
 * consumers read are ever written: a FluxPay topic maps to its replay topic; our command
 * and replay topics take the record back as it was. A topic not listed cannot be replayed.
 */
export function replayTargets(): Record<string, string> {
  return Object.fromEntries([
    ...DOMAINS.map((domain) => [fluxpayTopic(domain), replayTopic(domain)]),
    ...DOMAINS.map((domain) => [replayTopic(domain), replayTopic(domain)]),
    ...CHANNELS.map((channel) => [commandTopic(channel), commandTopic(channel)]),
    // A delivery event the read model could not take (dead-lettered by the projection).
    [DELIVERY_EVENTS_TOPIC, DELIVERY_EVENTS_TOPIC],
  ]);
}

/** CONTRACT §3: the groups FluxPay operators see consuming their topics. */
export const INGEST_CONSUMER_GROUPS: Record<Domain, string> = {
  payment: "notif-payment",
  subscription: "notif-subscription",
  order: "notif-order",
  refund: "notif-refund",
};

/** query-api's read-model projection (PROJECTION_GROUP_ID overrides it). */
export const PROJECTION_CONSUMER_GROUP = "notif-query-projection";

/** dlq-admin's groups (CONSUMER_GROUP, OUTCOMES_CONSUMER_GROUP, ORIGINALS_CONSUMER_GROUP override them). */
export const DLQ_ADMIN_CONSUMER_GROUPS = {
  deadLetters: "notif-dlq-admin",
  outcomes: "notif-dlq-admin-outcomes",
  originals: "notif-dlq-admin-originals",
} as const;

/** One consumer group of the platform: what it reads, and where it starts without a commit. */
export interface ConsumerGroupSpec {
  group: string;
  topics: string[];
  startFrom: "earliest" | "latest";
}

/**
 * Every consumer group of the platform with its default name (docs/architecture.md,
 * "Consumer groups"): what the pipeline dashboard measures lag for. The outcomes group
 * starts at the end (dlq-admin makes the replays it waits for), every other at the start.
 */
export function consumerGroupTopology(overrides: { projectionGroup?: string } = {}): ConsumerGroupSpec[] {
  return [
    ...DOMAINS.map((domain) => ({
      group: INGEST_CONSUMER_GROUPS[domain],
      topics: [fluxpayTopic(domain), replayTopic(domain)],
      startFrom: "earliest" as const,
    })),
    ...CHANNELS.map((channel) => ({
      group: CHANNEL_DEFINITIONS[channel].consumerGroup,
      topics: [commandTopic(channel)],
      startFrom: "earliest" as const,
    })),
    {
      group: overrides.projectionGroup ?? PROJECTION_CONSUMER_GROUP,
      topics: [DELIVERY_EVENTS_TOPIC],
      startFrom: "earliest",
    },
    { group: DLQ_ADMIN_CONSUMER_GROUPS.deadLetters, topics: DOMAINS.map(dlqTopic), startFrom: "earliest" },
    { group: DLQ_ADMIN_CONSUMER_GROUPS.outcomes, topics: [REPLAY_OUTCOMES_TOPIC], startFrom: "latest" },
    { group: DLQ_ADMIN_CONSUMER_GROUPS.originals, topics: [ORIGINALS_TOPIC], startFrom: "earliest" },
  ];
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Copies of each partition; absent: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

/**
 * In-sync replicas an acks=all write needs for a replication factor: with 3 copies a write
 * is acknowledged by 2, so one broker may be down (or restarting) without refusing writes
 * or losing acknowledged ones. 2 copies cannot afford that (min ISR 2 would stop writes
 * whenever either broker is down), and 1 copy has nothing to wait for.
 */
export function minInsyncReplicasFor(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}

/**
 * Every topic the platform uses, created explicitly (auto-creation is off on our brokers).
 * Partition counts bound consumer parallelism per group; 6 leaves room to scale a worker
 * to 6 processes. The delivery-events topic is the read model's source of truth and must be
 * retained long enough to rebuild it (docs/operations.md).
 */
export function topology(options: { partitions?: number; replicationFactor?: number } = {}): TopicSpec[] {
  const partitions = options.partitions ?? 6;
  const replicationFactor = options.replicationFactor ?? 1;
  return withReplication(replicationFactor, [
    ...DOMAINS.map((domain) => ({ name: fluxpayTopic(domain), partitions })),
    ...DOMAINS.map((domain) => ({ name: replayTopic(domain), partitions })),
    ...CHANNELS.map((channel) => ({ name: commandTopic(channel), partitions })),
    { name: DELIVERY_EVENTS_TOPIC, partitions, configs: { "retention.ms": String(30 * 24 * 3600 * 1000) } },
    { name: REPLAY_OUTCOMES_TOPIC, partitions: 3, configs: { "retention.ms": String(7 * 24 * 3600 * 1000) } },
    ...DOMAINS.map((domain) => ({ name: dlqTopic(domain), partitions: 3 })),
    {
      name: ORIGINALS_TOPIC,
      partitions: 3,
      // Kept as long as the read model's source.
      configs: {
        "max.message.bytes": String(MAX_ORIGINAL_BYTES),
        "retention.ms": String(30 * 24 * 3600 * 1000),
      },
    },
  ]);
}

/**
 * Every topic with the same replication: RF 1 on the single local broker, 3 on a cluster
 * (docs/operations.md, "Running on a Kafka cluster"), and min.insync.replicas to match, set
 * on the topic so it holds whatever the broker's default is.
 */
function withReplication(replicationFactor: number, specs: TopicSpec[]): TopicSpec[] {
  const minIsr = String(minInsyncReplicasFor(replicationFactor));
  return specs.map((spec) => ({
    ...spec,
    replicationFactor,
    configs: { ...spec.configs, "min.insync.replicas": minIsr },
  }));
}
