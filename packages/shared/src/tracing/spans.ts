import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { ATTR } from "./attributes";
import { extractTraceContext } from "./propagation";
import { tracer, tracingOn } from "./state";

export type { Context, Span };
export { SpanKind };

/** Marks `span` failed with the error's class and code (never its message: it may hold data). */
export function recordFailure(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  span.setAttribute("error.type", typeof code === "string" ? code : ((error as Error)?.name ?? "Error"));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `work` in a new span (a child of `parent`, the active context by default), ending it
 * when `work` settles; a throw marks it failed and is rethrown. With tracing off `work` just
 * runs, given a non-recording span, so callers need no branch of their own.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context | undefined },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return work(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** `parent` with `span` as its current span: what work for that span (and its records) continues. */
export const contextOf = (span: Span, parent: Context = context.active()): Context =>
  trace.setSpan(parent, span);

/** A span that callers end themselves (one that outlives a callback); undefined with tracing off. */
export function startSpan(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; links?: Link[] },
  parent: Context = context.active(),
): Span | undefined {
  if (!tracingOn()) return undefined;
  return tracer().startSpan(name, options, parent);
}

/**
 * A span that marks a step rather than timing work (a routing decision, a replay): started
 * and ended at once, in `parent`. Its context, for what continues from that step (the
 * records it leads to); undefined with tracing off.
 */
export function markSpan(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  parent: Context,
): Context | undefined {
  const span = startSpan(name, options, parent);
  if (!span) return undefined;
  span.end();
  return contextOf(span, parent);
}

/** What the consumer spans of one record say (OpenTelemetry messaging conventions). */
export interface ConsumedRecordInfo {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | undefined;
  headers: Readonly<Record<string, string>>;
}

export interface ConsumerSpanOptions {
  groupId: string;
  /** Whether the record key may be shown (it is not where it names a user, e.g. channel commands). */
  traceKeys?: boolean | undefined;
}

/** The messaging attributes every consumer span (one record's or a batch's) has. */
function processAttributes(topic: string, groupId: string): Attributes {
  return {
    [ATTR.messagingSystem]: "kafka",
    [ATTR.messagingOperationType]: "process",
    [ATTR.messagingOperationName]: "process",
    [ATTR.destination]: topic,
    [ATTR.consumerGroup]: groupId,
    [ATTR.kafkaConsumerGroup]: groupId,
  };
}

/**
 * The CONSUMER span of one record: a child of the context its headers carry (the producer's
 * span), or the root of a new trace when they carry none. Undefined with tracing off.
 */
export function startConsumerSpan(
  record: ConsumedRecordInfo,
  options: ConsumerSpanOptions,
): Span | undefined {
  if (!tracingOn()) return undefined;
  const attributes: Attributes = {
    ...processAttributes(record.topic, options.groupId),
    [ATTR.partition]: String(record.partition),
    [ATTR.offset]: Number(record.offset),
  };
  if (options.traceKeys && record.key !== undefined) attributes[ATTR.messageKey] = record.key.slice(0, 256);
  return tracer().startSpan(
    `process ${record.topic}`,
    { kind: SpanKind.CONSUMER, attributes },
    extractTraceContext(record.headers),
  );
}

/**
 * Spans for a batch handled as one: a CONSUMER span per record in its own trace (what the
 * handler continues for that record: `contexts[i]`), and one batch span linked to each of
 * them, since a span can have one parent but a batch covers records of many traces.
 */
export function startBatchSpans(records: ConsumedRecordInfo[], options: ConsumerSpanOptions) {
  if (!tracingOn() || records.length === 0) return undefined;
  const spans = records.map((record) => startConsumerSpan(record, options) as Span);
  const contexts = spans.map((span) => trace.setSpan(context.active(), span));
  const topic = records[0]?.topic ?? "";
  const batch = tracer().startSpan(`process batch ${topic}`, {
    kind: SpanKind.CONSUMER,
    attributes: { ...processAttributes(topic, options.groupId), [ATTR.batchCount]: records.length },
    links: spans.map((span) => ({ context: span.spanContext() })),
  });
  return {
    batch,
    contexts,
    /** Ends every span, failed ones marked (`error` set: the batch did not complete). */
    end(error?: unknown) {
      for (const span of [...spans, batch]) {
        if (error !== undefined) recordFailure(span, error);
        span.end();
      }
    },
  };
}
