import {
  CHANNELS,
  type Channel,
  commandTopic,
  DELIVERY_EVENTS_TOPIC,
  DOMAINS,
  type Domain,
  dlqTopic,
  fluxpayTopic,
  INGEST_CONSUMER_GROUPS,
  REPLAY_OUTCOMES_TOPIC,
  replayTopic,
} from "@fluxnotify/shared/contracts";

/** Every topic and group the ingest worker touches; tests substitute unique names. */
export interface IngestTopology {
  source: Record<Domain, string>;
  /** dlq-admin's replays of dead-lettered source records; read by the same group. */
  replay: Record<Domain, string>;
  groups: Record<Domain, string>;
  dlq: Record<Domain, string>;
  commands: Record<Channel, string>;
  deliveryEvents: string;
  /** Copies of delivery events that belong to replays, for dlq-admin. */
  replayOutcomes: string;
}

const byDomain = <T>(fn: (domain: Domain) => T) =>
  Object.fromEntries(DOMAINS.map((domain) => [domain, fn(domain)])) as Record<Domain, T>;

export function defaultTopology(): IngestTopology {
  return {
    source: byDomain(fluxpayTopic),
    replay: byDomain(replayTopic),
    groups: { ...INGEST_CONSUMER_GROUPS },
    dlq: byDomain(dlqTopic),
    commands: Object.fromEntries(CHANNELS.map((channel) => [channel, commandTopic(channel)])) as Record<
      Channel,
      string
    >,
    deliveryEvents: DELIVERY_EVENTS_TOPIC,
    replayOutcomes: REPLAY_OUTCOMES_TOPIC,
  };
}

export interface IngestConfig {
  topology: IngestTopology;
  maxEventBytes: number;
  parkDeadlineMs: number;
  settingsCacheTtlSeconds: number;
}
