export {
  type AllowListPolicy,
  checkOutboundUrl,
  checkPushEndpoint,
  checkWebhookUrl,
  type OutboundKind,
  PUSH_ENDPOINT,
  SLACK_WEBHOOK,
} from "./allow-list";
export { type BatcherOptions, createBatcher, type Settled } from "./batcher";
export { type BreakerState, type CircuitBreaker, createCircuitBreaker } from "./breaker";
export { classifyAppError } from "./classify";
export * from "./copy";
export { type DeadLetterTarget, deadLetterRecords, type Failure } from "./dead-letter";
export { createDedupStore, type DedupStore, type SentRecord } from "./dedup";
export { deliveryWorkerEnv } from "./env";
export * from "./format";
export { type HandlerDeps, handleCommand, type RetryPolicy } from "./handler";
export {
  MESSAGE_BODY_MAX,
  MESSAGE_TITLE_MAX,
  type NotificationMessage,
  notificationMessage,
} from "./message";
export { type DeliveryMetrics, deliveryMetrics } from "./metrics";
export { tcpProbe } from "./probe";
export { parseRetryAfter } from "./retry-after";
export {
  createDeliveryRuntime,
  DEFAULT_RETRY,
  type DeliveryRuntime,
  type DeliveryRuntimeOptions,
} from "./runtime";
export { cleanText, displayText, ELLIPSIS, truncate } from "./text";
export type { ChannelStrategy, Classification, FailureKind, SendAttempt, SendResult } from "./types";
export { type ChannelWorkerEnv, runChannelWorker, type StrategyContext } from "./worker";
