import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { eventually, expect } from "@fluxnotify/shared/testing";
import { parentSpanIdOf, startTestTracing } from "@fluxnotify/shared/testing/tracing";
import { afterAll } from "vitest";
import { fluxpayEvent, saveSettings, startHarness } from "./harness";

const tracing = startTestTracing();
afterAll(() => tracing.shutdown());

const FLUXPAY_TRACE = "0af7651916cd43dd8448eb211c80319c";
const FLUXPAY_SPAN = "b7ad6b7169203331";

test("ingest continues FluxPay's trace: consumer span → route → the commands; a dead letter from its own span; no traceparent → a new trace", async ({
  kafka,
  logger,
  registry,
  database,
}) => {
  const h = await startHarness({ kafka, logger, registry, database });
  try {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    await saveSettings(database, { tenantId: h.tenantId, userId, contacts: { EMAIL: "lee@example.com" } });
    const key = `${h.tenantId}:s-1`;
    const traced = fluxpayEvent(h.tenantId, "com.fluxpay.subscription.created", {
      subscriptionId: "s-1",
      userId,
      planName: "Pro",
    });
    const untraced = fluxpayEvent(h.tenantId, "com.fluxpay.subscription.cancelled", {
      subscriptionId: "s-1",
      userId,
      planName: "Pro",
    });
    const traceparent = `00-${FLUXPAY_TRACE}-${FLUXPAY_SPAN}-01`;
    await h.publish("subscription", traced.json, { key, headers: { traceparent, tracestate: "fluxpay=1" } });
    await h.publish("subscription", "{not json", { key, headers: { traceparent } });
    await h.publish("subscription", untraced.json, { key });
    await eventually(() => h.commandsFor(traced.id).length === 1 && h.commandsFor(untraced.id).length === 1);
    await eventually(() => h.dlq.subscription.messages.length === 1);

    const spans = await tracing.spans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const records = h.commands.EMAIL.messages;
    const commandsOf = (eventId: string) => records.filter((m) => m.headers["x-event-id"] === eventId);

    // The command record names the event's route span, in FluxPay's trace, with its tracestate.
    const tracedCommands = commandsOf(traced.id);
    expect(tracedCommands).toHaveLength(1);
    for (const command of tracedCommands) {
      expect(command.headers.traceparent).toMatch(new RegExp(`^00-${FLUXPAY_TRACE}-[0-9a-f]{16}-01$`));
      expect(command.headers.tracestate).toBe("fluxpay=1");
    }
    const route = byId.get(parentSpanIdOf(tracedCommands[0]?.headers.traceparent) ?? "");
    expect(route?.name).toBe("route");
    expect(route?.attributes["fluxnotify.channels"]).toEqual(["EMAIL"]);
    const consumer = byId.get(route?.parentSpanContext?.spanId ?? "");
    expect(consumer?.name).toBe(`process ${h.topology.source.subscription}`);
    expect(consumer?.parentSpanContext?.spanId).toBe(FLUXPAY_SPAN);
    expect(consumer?.attributes).toMatchObject({
      "messaging.system": "kafka",
      "messaging.destination.name": h.topology.source.subscription,
      "messaging.kafka.consumer.group": h.topology.groups.subscription,
    });
    // FluxPay's keys are not shown (they may name a user).
    expect(consumer?.attributes["messaging.kafka.message.key"]).toBeUndefined();

    // The dead letter: from a dead_letter span (reason code) under its own record's span.
    const letter = h.dlq.subscription.messages[0];
    const deadLetterSpan = byId.get(parentSpanIdOf(letter?.headers.traceparent) ?? "");
    expect(deadLetterSpan?.name).toBe(`dead_letter ${h.topology.dlq.subscription}`);
    expect(deadLetterSpan?.attributes["fluxnotify.dead_letter.reason"]).toBe(
      letter?.headers[DLQ_HEADERS.errorCode],
    );
    const poisoned = byId.get(deadLetterSpan?.parentSpanContext?.spanId ?? "");
    expect(poisoned?.parentSpanContext?.spanId).toBe(FLUXPAY_SPAN);
    expect(poisoned?.spanContext().spanId).not.toBe(consumer?.spanContext().spanId);

    // No traceparent: a trace of its own, which its commands continue.
    const fresh = commandsOf(untraced.id)[0]?.headers.traceparent;
    expect(fresh).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(fresh?.split("-")[1]).not.toBe(FLUXPAY_TRACE);
    // Nothing personal in any span.
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("lee@example.com");
  } finally {
    await h.close();
  }
});
