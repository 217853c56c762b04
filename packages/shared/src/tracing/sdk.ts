import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { setGlobalErrorHandler, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import {
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { TracingEnv } from "../env";
import type { Logger } from "../logger";
import { setTracingOn } from "./state";

export interface Tracing {
  readonly enabled: boolean;
  /** Exports the finished spans now (tests; the batch processor otherwise does every OTEL_BSP_SCHEDULE_DELAY). */
  flush(): Promise<void>;
  /** Exports what is still buffered and stops the SDK (the last shutdown step). */
  shutdown(): Promise<void>;
  /**
   * Where the SDK's own failures go (an export the collector refused or never answered):
   * logged as warnings, at most one a minute. Spans are dropped then; the work goes on.
   */
  reportErrorsTo(logger: Logger): void;
}

const OFF: Tracing = {
  enabled: false,
  flush: async () => {},
  shutdown: async () => {},
  reportErrorsTo: () => {},
};

const ERROR_LOG_INTERVAL_MS = 60_000;

/** The OTLP/HTTP traces URL the env names, if any (the signal path is added to the base endpoint). */
export function tracesEndpointOf(env: TracingEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED) return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
}

/** OTEL_TRACES_SAMPLER/_ARG as the specification defines them (SDK 3.x leaves that to the app). */
export function samplerOf(env: Pick<TracingEnv, "OTEL_TRACES_SAMPLER" | "OTEL_TRACES_SAMPLER_ARG">): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_ARG ?? 1);
  switch (env.OTEL_TRACES_SAMPLER) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio();
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Starts the trace SDK when the env names an OTLP endpoint (and OTEL_SDK_DISABLED is not
 * true): a tracer provider with a batch processor exporting OTLP/HTTP (JSON), the W3C
 * Trace Context propagator and the AsyncLocalStorage context manager, all registered as the
 * API's globals. Otherwise nothing is started or registered: the API stays on its no-op
 * tracer and `tracingOn()` false, so the record paths skip tracing after one check.
 * `exporter` is for tests.
 */
export function startTracing(name: string, env: TracingEnv, exporter?: SpanExporter): Tracing {
  const url = tracesEndpointOf(env);
  if (!url && !exporter) return OFF;
  // OTEL_RESOURCE_ATTRIBUTES (read by the SDK's detector), with OTEL_SERVICE_NAME over it as specified.
  const resource = detectResources({ detectors: [resourceAttributesEnvDetector] }).merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? name }),
  );
  const provider = new TracerProvider({
    resource,
    sampler: samplerOf(env),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: exporter ?? new OTLPTraceExporter({ url }),
        scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY,
      }),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  setTracingOn(true);
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    reportErrorsTo(logger) {
      let last = 0;
      let dropped = 0;
      setGlobalErrorHandler((error) => {
        if (Date.now() - last < ERROR_LOG_INTERVAL_MS) {
          dropped++;
          return;
        }
        logger.warn(
          { err: error, suppressedSinceLast: dropped },
          "tracing: span export failed; spans dropped",
        );
        last = Date.now();
        dropped = 0;
      });
    },
    async shutdown() {
      await provider.shutdown();
      setTracingOn(false);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
