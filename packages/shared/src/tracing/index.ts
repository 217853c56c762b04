export { ATTR } from "./attributes";
export { extractTraceContext, TRACE_HEADERS, withTraceHeaders } from "./propagation";
export { samplerOf, startTracing, type Tracing, tracesEndpointOf } from "./sdk";
export {
  type ConsumedRecordInfo,
  type Context,
  contextOf,
  inSpan,
  markSpan,
  recordFailure,
  type Span,
  SpanKind,
  startBatchSpans,
  startConsumerSpan,
  startSpan,
} from "./spans";
export { tracingOn } from "./state";
