import { trace } from "@opentelemetry/api";

/**
 * Whether this process exports traces. Read on every record, so it is a plain boolean:
 * while it is false no span is started and no header is read or written beyond this check.
 */
let on = false;

export const tracingOn = (): boolean => on;

/** Set by startTracing (and tests); nothing else changes it. */
export function setTracingOn(value: boolean): void {
  on = value;
}

/** The platform's tracer: the API's no-op one until an SDK is registered. */
export const tracer = () => trace.getTracer("fluxnotify");
