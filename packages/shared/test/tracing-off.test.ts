import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, test } from "vitest";
import { loadEnv, tracingEnv } from "../src/env";
import {
  extractTraceContext,
  samplerOf,
  startConsumerSpan,
  startTracing,
  tracesEndpointOf,
  tracingOn,
  withTraceHeaders,
} from "../src/tracing/index";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("tracing off (the default)", () => {
  test("no endpoint: no SDK, the API's no-op tracer, records untouched", () => {
    const env = loadEnv(tracingEnv, {});
    expect(tracesEndpointOf(env)).toBeUndefined();
    const tracing = startTracing("test-app", env);
    expect(tracing.enabled).toBe(false);
    expect(tracingOn()).toBe(false);
    // Nothing was registered: the API hands out non-recording spans with invalid ids.
    const span = trace.getTracer("probe").startSpan("probe");
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    expect(carrier).toEqual({});
    // The record paths do nothing after the flag check: same object back, no span.
    const headers = { traceparent: TRACEPARENT, "x-event-id": "e1" };
    expect(withTraceHeaders(headers)).toBe(headers);
    expect(extractTraceContext(headers)).toBe(ROOT_CONTEXT);
    expect(
      startConsumerSpan({ topic: "t", partition: 0, offset: 1n, key: "k", headers }, { groupId: "g" }),
    ).toBeUndefined();
  });

  test("OTEL_SDK_DISABLED=true wins over a configured endpoint", () => {
    const env = loadEnv(tracingEnv, {
      OTEL_SDK_DISABLED: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
    });
    expect(tracesEndpointOf(env)).toBeUndefined();
    expect(startTracing("test-app", env).enabled).toBe(false);
    expect(tracingOn()).toBe(false);
  });

  test("endpoints: the traces one as given, the base one with /v1/traces; garbage is refused", () => {
    const base = loadEnv(tracingEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" });
    expect(tracesEndpointOf(base)).toBe("http://collector:4318/v1/traces");
    const specific = loadEnv(tracingEnv, {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://tempo:4318/otlp/v1/traces",
    });
    expect(tracesEndpointOf(specific)).toBe("http://tempo:4318/otlp/v1/traces");
    expect(() => loadEnv(tracingEnv, { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => loadEnv(tracingEnv, { OTEL_TRACES_SAMPLER: "sometimes" })).toThrow(/OTEL_TRACES_SAMPLER/);
  });

  test("OTEL_TRACES_SAMPLER/_ARG as specified (SDK 3.x no longer reads them itself)", () => {
    const sampler = (vars: Record<string, string>) => String(samplerOf(loadEnv(tracingEnv, vars)));
    expect(sampler({})).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(sampler({ OTEL_TRACES_SAMPLER: "parentbased_always_off" })).toMatch(
      /^ParentBased\{root=AlwaysOffSampler/,
    );
    expect(sampler({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" })).toBe(
      "TraceIdRatioBased{0.25}",
    );
    expect(
      sampler({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" }),
    ).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0.1\}/);
    expect(sampler({ OTEL_TRACES_SAMPLER: "always_off" })).toBe("AlwaysOffSampler");
    expect(() => loadEnv(tracingEnv, { OTEL_TRACES_SAMPLER_ARG: "2" })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
