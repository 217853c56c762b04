export { createAdmin, type KafkaAdmin, waitForKafka } from "./admin";
export type { KafkaConnection } from "./client";
export { createConsumerRunner } from "./consumer-runner";
export type { ConsumedMessage, ConsumerRunner, ConsumerRunnerOptions } from "./consumer-types";
export { type KafkaMetrics, kafkaMetrics } from "./metrics";
export { OffsetTracker, type TopicPartitionOffset } from "./offset-tracker";
export { createProducer, type KafkaProducer, type OutgoingMessage } from "./producer";
