import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createProducer, type ProducerClient } from "../src/kafka/producer";
import { createLogger } from "../src/logger";
import { createMetricsRegistry } from "../src/metrics";

/**
 * The wrapper's batching alone, with a broker stand-in whose requests take `latencyMs` (a
 * replicated cluster's acks=all round trip). Delivery against the real broker is covered by
 * every consumer and e2e test; what this pins is the request pattern, which a loopback
 * broker answering in ~2 ms cannot show.
 */
function slowBroker(latencyMs: number, refuse?: (value: string) => boolean) {
  const requests: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async send(request: { messages: { value: Buffer }[] }) {
      const values = request.messages.map((message) => message.value.toString());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await sleep(latencyMs);
        if (refuse && values.length > 0 && values.some(refuse)) {
          throw Object.assign(new Error("Received response with error"), { code: "MESSAGE_TOO_LARGE" });
        }
        requests.push(values);
        return {};
      } finally {
        inFlight--;
      }
    },
    async metadata() {
      return {};
    },
    async close() {},
  };
  return {
    client: client as unknown as ProducerClient,
    requests,
    maxInFlight: () => maxInFlight,
  };
}

function producerOn(client: ProducerClient, options: { maxBatchMessages?: number } = {}) {
  return createProducer({
    connection: { brokers: ["127.0.0.1:1"], clientId: "batching-test" },
    logger: createLogger({ name: "batching-test", level: "silent" }),
    registry: createMetricsRegistry("batching-test"),
    lingerMs: 5,
    client,
    ...options,
  });
}

describe("producer batching", () => {
  it("sends made while a request is in flight leave together as the next request, one at a time, in call order", async () => {
    const broker = slowBroker(25);
    const producer = producerOn(broker.client);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      sends.push(producer.send([{ topic: "t", key: `k${i}`, value: `v${i}` }]));
      await sleep(2);
    }
    await Promise.all(sends);
    await producer.close();

    expect(broker.maxInFlight()).toBe(1);
    expect(broker.requests.flat()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
    // ~80 ms of sends against 25 ms requests: a handful of requests, not one per 5 ms linger
    // period chained behind each other (16 or more).
    expect(broker.requests.length).toBeLessThanOrEqual(6);
    expect(broker.requests.length).toBeGreaterThan(1);
  });

  it("a backlog queued during a request leaves in requests of at most maxBatchMessages", async () => {
    const broker = slowBroker(20);
    const producer = producerOn(broker.client, { maxBatchMessages: 4 });
    const first = producer.send([{ topic: "t", key: "k", value: "first" }]);
    await sleep(8); // the first request is in flight now
    const rest = Array.from({ length: 10 }, (_, i) =>
      producer.send([{ topic: "t", key: "k", value: `r${i}` }]),
    );
    await Promise.all([first, ...rest]);
    await producer.close();

    expect(broker.requests[0]).toEqual(["first"]);
    expect(broker.requests.slice(1).map((values) => values.length)).toEqual([4, 4, 2]);
    expect(broker.maxInFlight()).toBe(1);
  });

  it("a request refused for one record's size fails only the send that record belongs to", async () => {
    const broker = slowBroker(5, (value) => value === "huge");
    const producer = producerOn(broker.client);
    const results = await Promise.allSettled([
      producer.send([{ topic: "t", key: "a", value: "a" }]),
      producer.send([{ topic: "t", key: "b", value: "huge" }]),
      producer.send([{ topic: "t", key: "c", value: "c" }]),
    ]);
    await producer.close();

    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(broker.requests).toEqual([["a"], ["c"]]);
  });

  it("close waits for the request in flight and for what queued behind it", async () => {
    const broker = slowBroker(20);
    const producer = producerOn(broker.client);
    const first = producer.send([{ topic: "t", key: "k", value: "one" }]);
    await sleep(8);
    const second = producer.send([{ topic: "t", key: "k", value: "two" }]);
    await producer.close();

    expect(broker.requests).toEqual([["one"], ["two"]]);
    await expect(Promise.all([first, second])).resolves.toBeDefined();
  });
});
