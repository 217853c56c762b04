import type { ChannelCommand, DeliveryEvent } from "../../contracts/messages";
import { createAdmin, type KafkaConnection } from "../../kafka/index";
import { createLogger } from "../../logger";
import { createMetricsRegistry } from "../../metrics";
import type { Redis } from "../../redis";
import type { ChannelStrategy } from "../types";
import { startDeliveryHarness } from "./harness";

export interface BenchResult {
  commands: number;
  concurrency: number;
  partitions: number;
  seconds: number;
  sendsPerSecond: number;
  sendLatencyMs: { p50: number; p99: number; max: number };
  failed: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/**
 * End-to-end throughput of one channel runtime through the real broker: produce N
 * commands, start the worker, stop the clock at the N-th delivery event. Latency is the
 * provider call as reported in SENT events (`latencyMs`).
 */
export async function runDeliveryBench<R>(options: {
  brokers: string[];
  redis: Redis;
  strategy: ChannelStrategy<R>;
  commands: ChannelCommand[];
  concurrency: number;
  partitions: number;
}): Promise<BenchResult> {
  const connection: KafkaConnection = { brokers: options.brokers, clientId: "delivery-bench" };
  const admin = createAdmin(connection);
  const logger = createLogger({ name: "bench", level: "warn" });
  const registry = createMetricsRegistry("bench");
  const harness = await startDeliveryHarness({
    kafka: { connection, admin },
    logger,
    registry,
    redis: options.redis,
    strategy: options.strategy,
    partitions: options.partitions,
    runtime: { concurrency: options.concurrency },
  });
  try {
    const started = performance.now();
    for (let i = 0; i < options.commands.length; i += 1_000)
      await harness.produce(options.commands.slice(i, i + 1_000));
    while (harness.events.messages.length < options.commands.length) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (performance.now() - started > 300_000) throw new Error("bench did not finish within 5 minutes");
    }
    const seconds = (performance.now() - started) / 1000;
    const events = harness.events.values<DeliveryEvent>();
    const latencies = events.flatMap((e) =>
      e.status === "SENT" && e.latencyMs !== undefined ? [e.latencyMs] : [],
    );
    latencies.sort((a, b) => a - b);
    return {
      commands: options.commands.length,
      concurrency: options.concurrency,
      partitions: options.partitions,
      seconds: Math.round(seconds * 100) / 100,
      sendsPerSecond: Math.round(options.commands.length / seconds),
      sendLatencyMs: {
        p50: Math.round(percentile(latencies, 0.5) * 100) / 100,
        p99: Math.round(percentile(latencies, 0.99) * 100) / 100,
        max: Math.round((latencies.at(-1) ?? 0) * 100) / 100,
      },
      failed: events.filter((e) => e.status !== "SENT").length,
    };
  } finally {
    await harness.close();
    await admin.close();
  }
}
