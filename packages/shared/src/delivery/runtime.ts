import type { Registry } from "prom-client";
import { DEFAULT_POLICY } from "../channels/definition";
import type { Domain } from "../contracts/fluxpay-events";
import type { ReadinessCheck } from "../http/health-server";
import {
  type ConsumerRunner,
  createConsumerRunner,
  createDeadLetterWriter,
  type KafkaConnection,
  type KafkaProducer,
  stallDetail,
} from "../kafka/index";
import type { Logger } from "../logger";
import { pingRedis, type Redis } from "../redis";
import { type CircuitBreaker, createCircuitBreaker } from "./breaker";
import { createDedupStore } from "./dedup";
import { deadLetterPoisonCommand, handleCommand, type RetryPolicy } from "./handler";
import { createHeartbeat, type Heartbeat, type HeartbeatOptions } from "./heartbeat";
import { deliveryMetrics } from "./metrics";
import type { ChannelStrategy } from "./types";

export interface DeliveryRuntimeOptions<R> {
  strategy: ChannelStrategy<R>;
  connection: KafkaConnection;
  producer: KafkaProducer;
  redis: Redis;
  logger: Logger;
  registry: Registry;
  groupId: string;
  commandTopic: string;
  deliveryEventsTopic: string;
  dlqTopicPrefix: string;
  /** Where originals of oversized dead letters go (ORIGINALS_TOPIC by default). */
  originalsTopic?: string;
  /** See `REPLAY_OUTCOMES_TOPIC`; leave out to not copy replay outcomes. */
  replayOutcomesTopic?: string;
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** How long a SENT mark is kept: longer than any redelivery/replay window. */
  dedupTtlSeconds?: number;
  probeIntervalMs?: number;
  timeoutsToOpen?: number;
  fallbackDlqDomain?: Domain;
  startFrom?: "earliest" | "latest";
  commitIntervalMs?: number;
  /**
   * Writes this worker's breaker state to Redis for query-api's pipeline dashboard
   * (contracts/workers.ts); none without it.
   */
  heartbeat?: HeartbeatOptions;
}

export interface DeliveryRuntime {
  start(): Promise<void>;
  /** Stops taking commands, lets sends in progress finish, commits, leaves the group. */
  stop(drainTimeoutMs?: number): Promise<void>;
  readonly runner: ConsumerRunner;
  readonly breaker: CircuitBreaker;
  readonly heartbeat: Heartbeat | undefined;
  /** Kafka, Redis and provider (breaker) checks for the health server. */
  readinessChecks(): Record<string, ReadinessCheck>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  delaysMs: [...DEFAULT_POLICY.retryDelaysMs],
  jitterRatio: 0.1,
  maxRetryAfterMs: 60_000,
};

/**
 * The shared channel-worker runtime: consume commands (bounded concurrency, ordered per
 * key), dedup, send with retries, dead-letter, publish delivery events, and pause the
 * whole channel behind a circuit breaker while its provider is down.
 */
export function createDeliveryRuntime<R>(options: DeliveryRuntimeOptions<R>): DeliveryRuntime {
  const { strategy, logger: parentLogger, registry } = options;
  const logger = parentLogger.child({ channel: strategy.channel });
  const metrics = deliveryMetrics(registry);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const shutdown = new AbortController();
  const active = new Set<Promise<void>>();
  let runner: ConsumerRunner | undefined;
  let heartbeat: Heartbeat | undefined;

  metrics.breakerOpen.set({ channel: strategy.channel }, 0);
  const breaker = createCircuitBreaker({
    probe: () => strategy.probe(),
    probeIntervalMs: options.probeIntervalMs ?? 3_000,
    logger,
    onOpen: () => {
      metrics.breakerOpen.set({ channel: strategy.channel }, 1);
      metrics.breakerTransitions.inc({ channel: strategy.channel, state: "open" });
      runner?.pause();
      heartbeat?.beat();
    },
    onClose: () => {
      metrics.breakerOpen.set({ channel: strategy.channel }, 0);
      metrics.breakerTransitions.inc({ channel: strategy.channel, state: "closed" });
      runner?.resume();
      heartbeat?.beat();
    },
  });
  const dedup = createDedupStore(options.redis, {
    channel: strategy.channel,
    sentTtlSeconds: options.dedupTtlSeconds ?? 7 * 24 * 3600,
    // Renewed while a command is handled (retries, backoff, a Retry-After): after a crash
    // the notification is free again within this period.
    lockTtlMs: 15_000,
  });
  const deps = {
    strategy,
    producer: options.producer,
    deadLetters: createDeadLetterWriter({
      producer: options.producer,
      logger,
      ...(options.originalsTopic ? { originalsTopic: options.originalsTopic } : {}),
    }),
    dedup,
    breaker,
    metrics,
    logger,
    retry,
    target: {
      dlqTopicPrefix: options.dlqTopicPrefix,
      deliveryEventsTopic: options.deliveryEventsTopic,
      replayOutcomesTopic: options.replayOutcomesTopic,
      fallbackDomain: options.fallbackDlqDomain ?? "payment",
    },
    timeoutsToOpen: options.timeoutsToOpen ?? 3,
    signal: shutdown.signal,
    timeouts: { inARow: 0 },
  };

  runner = createConsumerRunner({
    connection: options.connection,
    groupId: options.groupId,
    topics: [options.commandTopic],
    logger,
    registry,
    concurrency: options.concurrency ?? 16,
    startFrom: options.startFrom ?? "earliest",
    commitIntervalMs: options.commitIntervalMs,
    handler: (message) => {
      const work = handleCommand(deps, message);
      active.add(work);
      return work.finally(() => active.delete(work));
    },
    deadLetter: deadLetterPoisonCommand(deps),
  });
  const theRunner = runner;
  if (options.heartbeat) {
    heartbeat = createHeartbeat({
      redis: options.redis,
      channel: strategy.channel,
      logger,
      state: () => ({ breaker: breaker.state, paused: theRunner.paused }),
      heartbeat: options.heartbeat,
    });
  }

  return {
    runner: theRunner,
    breaker,
    heartbeat,
    start: async () => {
      heartbeat?.start();
      await theRunner.start();
    },
    async stop(drainTimeoutMs = 15_000) {
      await heartbeat?.stop();
      theRunner.pause();
      breaker.stop();
      // Waits (breaker, backoff) end now; their commands stay uncommitted and are redelivered.
      shutdown.abort(new Error("shutting down"));
      const drained = Promise.allSettled([...active]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, drainTimeoutMs).unref())]);
      // What is still running is abandoned to redelivery; a short grace lets the runner commit.
      await theRunner.stop(500);
    },
    readinessChecks: () => ({
      kafka: async () => {
        await options.producer.ping();
        if (!theRunner.isHealthy()) throw new Error("consumer is not connected");
        return stallDetail([theRunner]);
      },
      redis: () => pingRedis(options.redis),
      provider: async () => {
        if (breaker.state === "open")
          throw new Error(`${strategy.channel} provider down (circuit breaker open)`);
        return { breaker: breaker.state };
      },
    }),
  };
}
