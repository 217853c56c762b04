import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor } from "../src/api";
import { encode, event, fluxpayPublisher } from "../src/fluxpay";
import { eventually, logHint } from "../src/observe";
import type { ReceivedSpan } from "../src/otlp-receiver";
import { tenantsOf } from "../src/resources";

const runId = inject("e2eRunId");
const tenant = tenantsOf(runId).tracing;
const publisher = fluxpayPublisher();
afterAll(() => publisher.close());

const CONSUMER = 5;
const CLIENT = 3;

async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
  const response = await fetch(`${inject("e2eOtlpReceiver")}/spans?traceId=${traceId}`);
  return (await response.json()) as ReceivedSpan[];
}

describe("tracing (CONTRACT §1: the platform's work for an event continues its traceparent)", () => {
  it("one FluxPay event: ingest, the email worker and the projection in FluxPay's trace, each a child of the hop before", async () => {
    const traceId = randomBytes(16).toString("hex");
    const fluxpaySpan = randomBytes(8).toString("hex");
    const userId = `trace-user-${runId}`;
    const email = `${userId}@example.com`;
    await apiFor(tenant).putSettings(userId, { email, locale: "en" });
    const subscription = event(tenant, "subscription.created", {
      subscriptionId: `trace-subscription-${runId}`,
      userId,
      planName: "Pro",
    });
    const record = encode(subscription, "structured");
    await publisher.send([
      { ...record, headers: { ...record.headers, traceparent: `00-${traceId}-${fluxpaySpan}-01` } },
    ]);

    const find = (spans: ReceivedSpan[], service: string, test: (span: ReceivedSpan) => boolean) =>
      spans.find((span) => span.service === service && test(span));
    const chain = await eventually(async () => {
      const spans = await spansOf(traceId);
      // ingest: its consumer span's parent is FluxPay's span; routing chose EMAIL under it.
      const ingest = find(
        spans,
        "ingest-worker",
        (s) => s.kind === CONSUMER && s.parentSpanId === fluxpaySpan,
      );
      expect(ingest, `ingest's consumer span (${logHint()})`).toBeDefined();
      const route = find(
        spans,
        "ingest-worker",
        (s) => s.name === "route" && s.parentSpanId === ingest?.spanId,
      );
      expect(route?.attributes["fluxnotify.channels"]).toContain("EMAIL");
      // email-worker: the command's consumer span is the routing span's child; the delivery and its attempt below.
      const command = find(
        spans,
        "email-worker",
        (s) => s.kind === CONSUMER && s.parentSpanId === route?.spanId,
      );
      expect(command, "email-worker's consumer span").toBeDefined();
      const deliver = find(
        spans,
        "email-worker",
        (s) => s.name === "deliver EMAIL" && s.parentSpanId === command?.spanId,
      );
      expect(deliver?.attributes).toMatchObject({ "fluxnotify.outcome": "sent", "fluxnotify.attempts": 1 });
      const attempt = find(
        spans,
        "email-worker",
        (s) => s.kind === CLIENT && s.parentSpanId === deliver?.spanId,
      );
      expect(attempt?.attributes).toMatchObject({
        "fluxnotify.attempt": 1,
        "fluxnotify.provider": "smtp",
        "fluxnotify.outcome": "ok",
      });
      // query-api: the SENT event's projection span is the delivery span's child.
      const projected = find(
        spans,
        "query-api",
        (s) => s.kind === CONSUMER && s.parentSpanId === deliver?.spanId,
      );
      expect(projected, "query-api's projection span of the SENT event").toBeDefined();
      return { spans, ingest, projected };
    }, 30_000);

    expect(chain.ingest?.attributes).toMatchObject({
      "messaging.system": "kafka",
      "messaging.destination.name": record.topic,
    });
    expect(chain.projected?.attributes["messaging.kafka.consumer.group"]).toBeTruthy();
    // Nothing personal in any span: not the address the mail went to.
    expect(JSON.stringify(chain.spans)).not.toContain(email);
  });
});
