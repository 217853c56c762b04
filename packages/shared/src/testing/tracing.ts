import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { loadEnv, tracingEnv } from "../env";
import { startTracing } from "../tracing/sdk";

export type { ReadableSpan };

/**
 * Tracing on in this test process, as an app with an endpoint has it, exporting to memory.
 * Each test file runs in its own worker, so this does not leak into files without it.
 */
export function startTestTracing() {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing("test", loadEnv(tracingEnv, {}), exporter);
  return {
    /** Every span finished so far (exported first). */
    async spans(): Promise<ReadableSpan[]> {
      await tracing.flush();
      return exporter.getFinishedSpans();
    },
    shutdown: () => tracing.shutdown(),
  };
}

/** The span id a `traceparent` header names. */
export const parentSpanIdOf = (traceparent: string | undefined) => traceparent?.split("-")[2];
