import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import { DOMAINS } from "../../contracts/fluxpay-events";
import type { ChannelCommand, DeliveryEvent } from "../../contracts/messages";
import { commandPayload } from "../../contracts/records";
import { createProducer, type KafkaAdmin, type KafkaConnection, type KafkaProducer } from "../../kafka/index";
import type { Logger } from "../../logger";
import type { Redis } from "../../redis";
import { collectTopic, type TopicCollector } from "../../testing/collect";
import { createDeliveryRuntime, type DeliveryRuntime, type DeliveryRuntimeOptions } from "../runtime";
import type { ChannelStrategy } from "../types";

export interface DeliveryHarness {
  runtime: DeliveryRuntime;
  producer: KafkaProducer;
  commandTopic: string;
  dlqTopicPrefix: string;
  /** Where delivery events of replayed commands are copied (not collected by default). */
  replayOutcomesTopic: string;
  /** Where originals of oversized dead letters go (not collected by default). */
  originalsTopic: string;
  events: TopicCollector;
  /** Delivery events that end a notification (SENT, FAILED, SKIPPED), parsed. */
  outcomes(): DeliveryEvent[];
  /** PENDING events: a send reported as delayed (a retry scheduled, the provider down). */
  delays(): DeliveryEvent[];
  dlq: TopicCollector;
  /** Produces commands as the ingest worker does (commandPayload), to this harness's topic. */
  produce(commands: ChannelCommand[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A channel runtime on fresh, uniquely named topics of the real broker, with collectors on
 * its delivery-events topic and its `payment` DLQ topic: what tests and benchmarks observe.
 */
export async function startDeliveryHarness<R>(options: {
  kafka: { connection: KafkaConnection; admin: KafkaAdmin };
  logger: Logger;
  registry: Registry;
  redis: Redis;
  strategy: ChannelStrategy<R>;
  runtime?: Partial<Omit<DeliveryRuntimeOptions<R>, "strategy">>;
  partitions?: number;
}): Promise<DeliveryHarness> {
  const id = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const commandTopic = `test.commands.${id}`;
  const eventsTopic = `test.delivery-events.${id}`;
  const dlqTopicPrefix = `test.dlq.${id}.`;
  const outcomesTopic = `test.replay-outcomes.${id}`;
  const originalsTopic = `test.originals.${id}`;
  const topics = [
    commandTopic,
    eventsTopic,
    outcomesTopic,
    originalsTopic,
    ...DOMAINS.map((d) => `${dlqTopicPrefix}${d}`),
  ];
  const { connection, admin } = options.kafka;
  await admin.ensureTopics(
    topics.map((name) => ({ name, partitions: name === commandTopic ? (options.partitions ?? 1) : 1 })),
  );
  const producer = createProducer({ connection, logger: options.logger, registry: options.registry });
  const runtime = createDeliveryRuntime({
    strategy: options.strategy,
    connection,
    producer,
    redis: options.redis,
    logger: options.logger,
    registry: options.registry,
    groupId: `test-worker-${id}`,
    commandTopic,
    deliveryEventsTopic: eventsTopic,
    replayOutcomesTopic: outcomesTopic,
    dlqTopicPrefix,
    originalsTopic,
    retry: { delaysMs: [1_000, 2_000, 4_000], jitterRatio: 0 },
    probeIntervalMs: 1_000,
    commitIntervalMs: 200,
    ...options.runtime,
  });
  const collect = (topic: string) =>
    collectTopic({ connection, topic, logger: options.logger, registry: options.registry });
  const [events, dlq] = await Promise.all([collect(eventsTopic), collect(`${dlqTopicPrefix}payment`)]);
  await runtime.start();
  return {
    runtime,
    producer,
    commandTopic,
    dlqTopicPrefix,
    replayOutcomesTopic: outcomesTopic,
    originalsTopic,
    events,
    outcomes: () => events.values<DeliveryEvent>().filter((event) => event.status !== "PENDING"),
    delays: () => events.values<DeliveryEvent>().filter((event) => event.status === "PENDING"),
    dlq,
    produce: (commands) =>
      producer.send(commands.map((c) => ({ ...commandPayload(c), topic: commandTopic }))),
    async close() {
      await runtime.stop(2_000);
      await Promise.all([events.stop(), dlq.stop()]);
      await producer.close();
      await admin.deleteTopics(topics).catch(() => {});
    },
  };
}
