/**
 * Span attribute names. The messaging ones are OpenTelemetry's (semantic conventions,
 * messaging/kafka), still "development" there, so they are copied here as the conventions
 * advise instead of imported from the package's unstable entry point. Ours are namespaced
 * `fluxnotify.*`. Never personal data: no address, webhook URL or push endpoint.
 */
export const ATTR = {
  messagingSystem: "messaging.system",
  messagingOperationType: "messaging.operation.type",
  messagingOperationName: "messaging.operation.name",
  destination: "messaging.destination.name",
  consumerGroup: "messaging.consumer.group.name",
  kafkaConsumerGroup: "messaging.kafka.consumer.group",
  partition: "messaging.destination.partition.id",
  offset: "messaging.kafka.offset",
  messageKey: "messaging.kafka.message.key",
  batchCount: "messaging.batch.message_count",
  eventId: "fluxnotify.event.id",
  eventType: "fluxnotify.event.type",
  tenantId: "fluxnotify.tenant.id",
  notificationId: "fluxnotify.notification.id",
  channel: "fluxnotify.channel",
  channels: "fluxnotify.channels",
  skippedChannels: "fluxnotify.skipped_channels",
  provider: "fluxnotify.provider",
  attempt: "fluxnotify.attempt",
  attempts: "fluxnotify.attempts",
  outcome: "fluxnotify.outcome",
  errorCode: "fluxnotify.error.code",
  reasonCode: "fluxnotify.dead_letter.reason",
  deadLetterTopic: "fluxnotify.dead_letter.topic",
  dlqId: "fluxnotify.dlq.id",
  replayCount: "fluxnotify.replay.count",
} as const;
