import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadEnv, tracingEnv } from "../src/env";
import { createLogger } from "../src/logger";
import {
  extractTraceContext,
  inSpan,
  startBatchSpans,
  startTracing,
  type Tracing,
  tracingOn,
  withTraceHeaders,
} from "../src/tracing/index";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(() => {
  tracing = startTracing("test-app", loadEnv(tracingEnv, {}), exporter);
});
afterAll(() => tracing.shutdown());

const record = (headers: Record<string, string>, offset = 1n) => ({
  topic: "fluxpay.orders",
  partition: 2,
  offset,
  key: "order-1",
  headers,
});

describe("trace headers on Kafka records", () => {
  test("the SDK is on and records its spans", () => {
    expect(tracing.enabled).toBe(true);
    expect(tracingOn()).toBe(true);
  });

  test("extract continues the sender's trace, with its tracestate", () => {
    const ctx = extractTraceContext({ traceparent: TRACEPARENT, tracestate: "fluxpay=a1" });
    const parent = trace.getSpanContext(ctx);
    expect(parent?.traceId).toBe(TRACE_ID);
    expect(parent?.spanId).toBe(PARENT_ID);
    expect(parent?.isRemote).toBe(true);
    expect(parent?.traceState?.get("fluxpay")).toBe("a1");
  });

  test("CloudEvents binary mode's ce_traceparent is read when traceparent is absent", () => {
    expect(trace.getSpanContext(extractTraceContext({ ce_traceparent: TRACEPARENT }))?.traceId).toBe(
      TRACE_ID,
    );
  });

  test.each([
    ["missing", {}],
    ["empty", { traceparent: "" }],
    ["garbled", { traceparent: "not-a-traceparent" }],
    ["all-zero trace id", { traceparent: `00-${"0".repeat(32)}-${PARENT_ID}-01` }],
    ["bad version", { traceparent: `ff-${TRACE_ID}-${PARENT_ID}-01` }],
    ["uppercase hex", { traceparent: TRACEPARENT.toUpperCase() }],
    ["binary junk", { traceparent: "\uFFFD\u0000\u0007" }],
  ])("a %s traceparent starts a new trace, never a crash", async (_what, headers) => {
    expect(extractTraceContext(headers)).toBe(ROOT_CONTEXT);
    const spans = startBatchSpans([record(headers)], { groupId: "g" });
    spans?.end();
    await tracing.flush();
    const consumer = exporter
      .getFinishedSpans()
      .find((s) => s.kind === SpanKind.CONSUMER && s.links.length === 0);
    expect(consumer?.parentSpanContext).toBeUndefined();
    expect(consumer?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(consumer?.spanContext().traceId).not.toBe(TRACE_ID);
    exporter.reset();
  });

  test("inject writes the active span as traceparent, replacing the one a record came with", async () => {
    const before = { traceparent: TRACEPARENT, tracestate: "old=1", "x-event-id": "e1" };
    const injected = await inSpan("work", { parent: extractTraceContext(before) }, async (span) => {
      const headers = withTraceHeaders(before);
      return { headers, spanId: span.spanContext().spanId };
    });
    expect(injected.headers?.traceparent).toBe(`00-${TRACE_ID}-${injected.spanId}-01`);
    expect(injected.headers?.tracestate).toBe("old=1"); // the trace's state travels on with it
    expect(injected.headers?.["x-event-id"]).toBe("e1");
    expect(before.traceparent).toBe(TRACEPARENT); // the caller's object is not changed
  });

  test("no active span: the record keeps the headers it has", () => {
    const headers = { traceparent: TRACEPARENT };
    expect(context.with(ROOT_CONTEXT, () => withTraceHeaders(headers))).toBe(headers);
  });

  test("a batch: one span per record in its own trace, and a batch span linked to each", async () => {
    const other = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;
    const spans = startBatchSpans(
      [record({ traceparent: TRACEPARENT }, 1n), record({ traceparent: other }, 2n)],
      {
        groupId: "ingest",
        traceKeys: true,
      },
    );
    expect(spans?.contexts).toHaveLength(2);
    spans?.end();
    await tracing.flush();
    const finished = exporter.getFinishedSpans();
    const perRecord = finished.filter((s) => s.name === "process fluxpay.orders");
    expect(perRecord.map((s) => s.spanContext().traceId).sort()).toEqual(["a".repeat(32), TRACE_ID].sort());
    const first = perRecord.find((s) => s.spanContext().traceId === TRACE_ID);
    expect(first?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(first?.attributes).toMatchObject({
      "messaging.system": "kafka",
      "messaging.destination.name": "fluxpay.orders",
      "messaging.kafka.consumer.group": "ingest",
      "messaging.destination.partition.id": "2",
      "messaging.kafka.offset": 1,
      "messaging.kafka.message.key": "order-1",
    });
    const batch = finished.find((s) => s.name === "process batch fluxpay.orders");
    expect(batch?.links.map((l) => l.context.spanId).sort()).toEqual(
      perRecord.map((s) => s.spanContext().spanId).sort(),
    );
    exporter.reset();
  });

  test("log lines inside a span carry its trace_id and span_id", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: "t",
      traceIds: true,
      destination: { write: (line: string) => void lines.push(line) },
    });
    const ids = await inSpan(
      "logged",
      { parent: extractTraceContext({ traceparent: TRACEPARENT }) },
      async (span) => {
        logger.info("inside");
        return span.spanContext();
      },
    );
    logger.info("outside");
    const [inside, outside] = lines.map((line) => JSON.parse(line));
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside.trace_id).toBeUndefined();
  });
});
