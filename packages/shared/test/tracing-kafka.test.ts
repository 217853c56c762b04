import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll } from "vitest";
import { DLQ_HEADERS } from "../src/contracts/dlq";
import { loadEnv, tracingEnv } from "../src/env";
import {
  type ConsumedMessage,
  createConsumerRunner,
  createDeadLetterWriter,
  createProducer,
} from "../src/kafka/index";
import { eventually, expect, kafkaTest as test } from "../src/testing/index";
import { inSpan, startTracing, type Tracing } from "../src/tracing/index";

const FLUXPAY_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const FLUXPAY_SPAN = "00f067aa0ba902b7";

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing("test-app", loadEnv(tracingEnv, {}), exporter);
});
afterAll(() => tracing.shutdown());

const spanIdOf = (traceparent: string | undefined) => traceparent?.split("-")[2];

test("a record's traceparent survives the broker: consumer spans continue it, and what they produce continues them", async ({
  kafka,
  logger,
  registry,
}) => {
  const source = await kafka.createTopic("trace-source");
  const downstream = await kafka.createTopic("trace-downstream");
  const dlq = await kafka.createTopic("trace-dlq");
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  const deadLetters = createDeadLetterWriter({ producer, logger });

  // FluxPay's record with its traceparent, one without any, and one with a garbled one.
  await producer.send([
    {
      topic: source,
      key: "a",
      value: "ok",
      headers: { traceparent: `00-${FLUXPAY_TRACE}-${FLUXPAY_SPAN}-01` },
    },
    { topic: source, key: "b", value: "ok" },
    { topic: source, key: "c", value: "poison", headers: { traceparent: "00-garbled-01" } },
  ]);

  // Stage 1, as ingest: batches; each record's work continues its own trace (message.trace).
  const stage1 = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("trace-stage1"),
    topics: [source],
    logger,
    registry,
    maxBatchSize: 10,
    batchLingerMs: 200,
    batchHandler: async (messages) => {
      const ok = messages.filter((m) => m.value?.toString() === "ok");
      await producer.send(ok.map((m) => ({ topic: downstream, key: m.key, value: "cmd", trace: m.trace })));
      const poison = messages.filter((m) => m.value?.toString() === "poison");
      await deadLetters.send(
        poison.map((m) => ({
          topic: dlq,
          value: "poison",
          headers: { ...m.headers, [DLQ_HEADERS.errorCode]: "EVENT_INVALID" },
          trace: m.trace,
        })),
      );
    },
  });
  // Stage 2, as a channel worker: one at a time, producing inside a span of its own.
  const received: ConsumedMessage[] = [];
  const stage2 = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("trace-stage2"),
    topics: [downstream],
    logger,
    registry,
    handler: async (message) => {
      received.push(message);
      await inSpan("deliver", {}, async () => {
        await producer.send([{ topic: dlq, key: message.key, value: "event" }]);
      });
    },
  });
  const dead: ConsumedMessage[] = [];
  const dlqReader = createConsumerRunner({
    connection: kafka.connection,
    groupId: kafka.groupId("trace-dlq"),
    topics: [dlq],
    logger,
    registry,
    handler: async (message) => void dead.push(message),
  });
  await Promise.all([stage1.start(), stage2.start(), dlqReader.start()]);
  await eventually(() => received.length === 2 && dead.length === 3, 30_000);
  await Promise.all([stage1.stop(), stage2.stop(), dlqReader.stop()]);
  await producer.close();
  await tracing.flush();
  const spans = exporter.getFinishedSpans();
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));

  // Stage 1's consumer span of FluxPay's record: in FluxPay's trace, its parent FluxPay's span.
  const consumed = spans.filter((s) => s.name === `process ${source}`);
  expect(consumed).toHaveLength(3);
  const fromFluxPay = consumed.find((s) => s.spanContext().traceId === FLUXPAY_TRACE);
  expect(fromFluxPay?.kind).toBe(SpanKind.CONSUMER);
  expect(fromFluxPay?.parentSpanContext?.spanId).toBe(FLUXPAY_SPAN);
  // The others start new traces (the garbled one too: no crash, and a root span).
  const roots = consumed.filter((s) => s !== fromFluxPay);
  expect(roots.every((s) => s.parentSpanContext === undefined)).toBe(true);
  expect(new Set(roots.map((s) => s.spanContext().traceId)).size).toBe(2);
  // The batch span links the records' spans.
  const batches = spans.filter((s) => s.name === `process batch ${source}`);
  expect(batches.flatMap((b) => b.links.map((l) => l.context.spanId)).sort()).toEqual(
    consumed.map((s) => s.spanContext().spanId).sort(),
  );

  // The produced record's own header names stage 1's span of its source record.
  const command = received.find((m) => m.key === "a");
  expect(command?.headers.traceparent).toBe(`00-${FLUXPAY_TRACE}-${fromFluxPay?.spanContext().spanId}-01`);
  // Stage 2's consumer span is its child, and the record it produced names stage 2's deliver span.
  const stage2Span = spans.find(
    (s) => s.name === `process ${downstream}` && s.spanContext().traceId === FLUXPAY_TRACE,
  );
  expect(stage2Span?.parentSpanContext?.spanId).toBe(fromFluxPay?.spanContext().spanId);
  const event = dead.find((m) => m.key === "a");
  const deliver = byId.get(spanIdOf(event?.headers.traceparent) ?? "");
  expect(deliver?.name).toBe("deliver");
  expect(deliver?.parentSpanContext?.spanId).toBe(stage2Span?.spanContext().spanId);

  // The dead letter continues from its dead-letter span, itself in the poison record's trace,
  // replacing the garbled traceparent it was copied with.
  const letter = dead.find((m) => m.value?.toString() === "poison");
  const deadLetterSpan = byId.get(spanIdOf(letter?.headers.traceparent) ?? "");
  expect(deadLetterSpan?.name).toBe(`dead_letter ${dlq}`);
  expect(deadLetterSpan?.attributes["fluxnotify.dead_letter.reason"]).toBe("EVENT_INVALID");
  const poisonSpan = byId.get(deadLetterSpan?.parentSpanContext?.spanId ?? "");
  expect(poisonSpan?.name).toBe(`process ${source}`);
  expect(poisonSpan?.attributes["messaging.kafka.offset"]).toBe(2);
});
