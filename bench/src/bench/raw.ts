import { setTimeout as sleep } from "node:timers/promises";
import {
  createAdmin,
  createConsumerRunner,
  createProducer,
  type KafkaConnection,
} from "@fluxnotify/shared/kafka";
import { createLogger } from "@fluxnotify/shared/logger";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { encodeEvent, type PlannedEvent } from "../workload/index";

export interface RawBaseline {
  messages: number;
  /** First produce → last acknowledged. */
  produceSeconds: number;
  /** First produce → last consumed (consumer started before producing). */
  endToEndSeconds: number;
  messagesPerSecond: number;
}

/**
 * The transport alone: the same records (the workload's events, same encodings and keys)
 * produced and consumed with the same client (@fluxnotify/shared/kafka: idempotent producer,
 * the consumer runner with per-key ordering and offset tracking) on the same broker,
 * one topic of 6 partitions, a no-op handler.
 */
export async function rawBaseline(
  connection: KafkaConnection,
  events: PlannedEvent[],
  runId: string,
  log: (line: string) => void,
): Promise<RawBaseline> {
  const topic = `bench.raw.${runId}`;
  const logger = createLogger({ name: "bench-raw", level: "warn" });
  const registry = createMetricsRegistry("bench-raw");
  const admin = createAdmin(connection);
  await admin.ensureTopics([{ name: topic, partitions: 6 }]);
  let consumed = 0;
  const runner = createConsumerRunner({
    connection,
    groupId: `bench-raw-${runId}`,
    topics: [topic],
    logger,
    registry,
    startFrom: "earliest",
    handler: async () => {
      consumed++;
    },
  });
  const producer = createProducer({ connection, logger, registry });
  try {
    await runner.start();
    log(`raw baseline: ${events.length} records through ${topic}`);
    const started = Date.now();
    for (let i = 0; i < events.length; i += 1_000) {
      await producer.send(events.slice(i, i + 1_000).map((event) => ({ ...encodeEvent(event), topic })));
    }
    const produced = Date.now();
    const deadline = produced + 300_000;
    while (consumed < events.length && Date.now() < deadline) await sleep(20);
    const done = Date.now();
    if (consumed < events.length) throw new Error(`raw baseline consumed only ${consumed}/${events.length}`);
    const endToEndSeconds = (done - started) / 1000;
    return {
      messages: events.length,
      produceSeconds: (produced - started) / 1000,
      endToEndSeconds,
      messagesPerSecond: Math.round(events.length / endToEndSeconds),
    };
  } finally {
    await runner.stop(5_000).catch(() => {});
    await producer.close().catch(() => {});
    await admin.deleteTopics([topic]).catch(() => {});
    await admin.close().catch(() => {});
  }
}
