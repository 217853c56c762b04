import { type Context, context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { tracingOn } from "./state";

/** W3C Trace Context header names (lower case, as the propagator writes them). */
export const TRACE_HEADERS = { traceparent: "traceparent", tracestate: "tracestate" } as const;

/** CloudEvents' distributed-tracing extension in binary mode: a FluxPay record may use it instead. */
const CE_TRACEPARENT = "ce_traceparent";
const CE_TRACESTATE = "ce_tracestate";

/**
 * The trace a consumed record continues: its `traceparent` (or `ce_traceparent`) and
 * `tracestate`; the root context when there is none or it is garbled (a new trace then),
 * never a throw. Header names are matched as sent: Kafka header names are case-sensitive.
 */
export function extractTraceContext(headers: Readonly<Record<string, string>>): Context {
  if (!tracingOn()) return ROOT_CONTEXT;
  const traceparent = headers[TRACE_HEADERS.traceparent] ?? headers[CE_TRACEPARENT];
  if (!traceparent) return ROOT_CONTEXT;
  const tracestate = headers[TRACE_HEADERS.tracestate] ?? headers[CE_TRACESTATE];
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  try {
    return propagation.extract(ROOT_CONTEXT, carrier);
  } catch {
    return ROOT_CONTEXT;
  }
}

/**
 * `headers` with the trace context of `parent` (the caller's active context by default)
 * as `traceparent`/`tracestate`, replacing any the record had (a dead letter keeps its
 * source's headers: it continues from the dead-lettering span instead). Unchanged when
 * tracing is off or there is no span to continue.
 */
export function withTraceHeaders<V extends string | Buffer>(
  headers: Record<string, V> | undefined,
  parent: Context = context.active(),
): Record<string, V | string> | undefined {
  if (!tracingOn()) return headers;
  if (!trace.getSpanContext(parent)) return headers;
  const carrier: Record<string, string> = {};
  propagation.inject(parent, carrier);
  if (!carrier[TRACE_HEADERS.traceparent]) return headers;
  const result: Record<string, V | string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name !== TRACE_HEADERS.traceparent && name !== TRACE_HEADERS.tracestate) result[name] = value;
  }
  return { ...result, ...carrier };
}
