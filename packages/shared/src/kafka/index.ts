export {
  type AdminTimeouts,
  createAdmin,
  type KafkaAdmin,
  type PartitionBounds,
  type PartitionPlacement,
  waitForKafka,
} from "./admin";
export type { KafkaConnection } from "./client";
export { createConsumerRunner } from "./consumer-runner";
export type {
  ConsumedMessage,
  ConsumerRunner,
  ConsumerRunnerOptions,
  PoisonFailure,
  StalledPartition,
} from "./consumer-types";
export { stallDetail } from "./consumer-types";
export { createDeadLetterWriter, type DeadLetterWriter } from "./dead-letter-writer";
export { type KafkaMetrics, kafkaMetrics } from "./metrics";
export { OffsetTracker, type TopicPartitionOffset } from "./offset-tracker";
export {
  createProducer,
  DEFAULT_MAX_RECORD_BYTES,
  type KafkaProducer,
  type OutgoingMessage,
  RecordTooLargeError,
  recordBytes,
} from "./producer";
export { assertReplicationFits, TopicReplicationError } from "./replication";
