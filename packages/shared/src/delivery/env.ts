import { z } from "zod";
import type { ChannelDefinition } from "../channels/index";
import { DELIVERY_EVENTS_TOPIC, ORIGINALS_TOPIC, REPLAY_OUTCOMES_TOPIC } from "../contracts/topics";
import { inAppChannelEnv, port } from "../env";

/**
 * Env pieces every channel worker shares, defaulting to what its channel's definition
 * declares (topic, group, port, policy); each app spreads this into its own `env.ts`.
 */
export function deliveryWorkerEnv(definition: ChannelDefinition) {
  const { policy } = definition;
  return {
    COMMAND_TOPIC: z.string().min(1).default(definition.commandTopic),
    DELIVERY_EVENTS_TOPIC: z.string().min(1).default(DELIVERY_EVENTS_TOPIC),
    REPLAY_OUTCOMES_TOPIC: z.string().min(1).default(REPLAY_OUTCOMES_TOPIC),
    DLQ_TOPIC_PREFIX: z.string().min(1).default("notification.dlq."),
    /** Where originals of dead letters too large to write as they are go (digest in the DLQ). */
    ORIGINALS_TOPIC: z.string().min(1).default(ORIGINALS_TOPIC),
    CONSUMER_GROUP: z.string().min(1).default(definition.consumerGroup),
    CONCURRENCY: z.coerce.number().int().positive().max(1_000).default(policy.concurrency),
    HEALTH_PORT: port(definition.healthPort),
    /** How often a downed provider is probed while the breaker is open. */
    BREAKER_PROBE_INTERVAL_MS: z.coerce.number().int().positive().default(policy.probeIntervalMs),
    /** Retention of SENT marks: must outlive command-topic retention and DLQ replays. */
    /** Also the prefix of the worker's heartbeat key (`{prefix}workers:{channel}`). */
    ...inAppChannelEnv,
    DEDUP_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
  };
}
