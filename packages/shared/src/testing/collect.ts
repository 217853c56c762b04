import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import { type ConsumedMessage, createConsumerRunner, type KafkaConnection } from "../kafka/index";
import type { Logger } from "../logger";

export interface TopicCollector {
  readonly messages: ConsumedMessage[];
  /** Parsed JSON values of what arrived so far. */
  values<T = Record<string, unknown>>(): T[];
  stop(): Promise<void>;
}

/**
 * Reads a topic from the beginning into memory: how tests and benchmarks observe what a
 * worker produced (DLQ records, delivery events) through the real broker.
 */
export async function collectTopic(options: {
  connection: KafkaConnection;
  topic: string;
  logger: Logger;
  registry: Registry;
  groupId?: string;
}): Promise<TopicCollector> {
  const messages: ConsumedMessage[] = [];
  const runner = createConsumerRunner({
    connection: options.connection,
    groupId: options.groupId ?? `collect-${randomUUID()}`,
    topics: [options.topic],
    logger: options.logger,
    registry: options.registry,
    startFrom: "earliest",
    batchHandler: async (batch) => {
      messages.push(...batch);
    },
  });
  await runner.start();
  return {
    messages,
    values: <T>() => messages.map((m) => JSON.parse(m.value?.toString("utf8") ?? "null") as T),
    stop: () => runner.stop(1_000),
  };
}
