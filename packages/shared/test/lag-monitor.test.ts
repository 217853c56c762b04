import { describe, expect, it } from "vitest";
import { startLagMonitor } from "../src/kafka/lag-monitor";
import { kafkaMetrics } from "../src/kafka/metrics";
import { createLogger } from "../src/logger";
import { Registry } from "../src/metrics";

type Consumer = Parameters<typeof startLagMonitor>[0]["consumer"];
type Assignment = { topic: string; partitions: number[] };

/**
 * The broker's answers as the monitor reads them (high watermarks, committed offsets by
 * partition index), behind an assignment a test changes as a rebalance would.
 */
function fakeConsumer(ends: bigint[], committed: bigint[]) {
  const state = { assignments: [] as Assignment[] };
  const consumer = {
    get assignments() {
      return state.assignments;
    },
    listOffsets: async () => new Map([["orders", ends]]),
    listCommittedOffsets: async () => new Map([["orders", committed]]),
  } as unknown as Consumer;
  return { consumer, state };
}

async function lagSeries(registry: Registry) {
  const { values } = await kafkaMetrics(registry).lag.get();
  return Object.fromEntries(
    values.map((v) => [`${v.labels.group}/${v.labels.topic}/${v.labels.partition}`, v.value]),
  );
}

describe("consumer lag metric", () => {
  it("is exported per group, topic and partition, and dropped for partitions a rebalance moved away", async () => {
    const registry = new Registry();
    const { consumer, state } = fakeConsumer([100n, 50n, 7n], [90n, -1n, 7n]);
    const monitor = startLagMonitor({
      consumer,
      groupId: "g1",
      metrics: kafkaMetrics(registry),
      logger: createLogger({ name: "test", level: "silent" }),
      intervalMs: 60_000,
    });
    try {
      state.assignments = [{ topic: "orders", partitions: [0, 1, 2] }];
      // Partition 1 has no commit yet: everything up to its high watermark is behind.
      expect(await monitor.snapshot()).toEqual({ "orders/0": 10, "orders/1": 50, "orders/2": 0 });
      expect(await lagSeries(registry)).toEqual({ "g1/orders/0": 10, "g1/orders/1": 50, "g1/orders/2": 0 });

      state.assignments = [{ topic: "orders", partitions: [2] }];
      await monitor.snapshot();
      // Partitions 0 and 1 are another member's now: their frozen values must not linger here.
      expect(await lagSeries(registry)).toEqual({ "g1/orders/2": 0 });
    } finally {
      monitor.stop();
    }
    expect(await lagSeries(registry)).toEqual({});
  });
});
