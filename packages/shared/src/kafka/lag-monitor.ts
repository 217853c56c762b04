import type { Logger } from "../logger";
import { type Consumer, ListOffsetTimestamps } from "./client";
import type { KafkaMetrics } from "./metrics";

type AnyConsumer = Consumer<Buffer, Buffer, string, Buffer>;

/**
 * Group lag from the broker's view (high watermark − committed offset) for the partitions
 * this process owns. The client's own getLag only knows commits made through its streams.
 */
export function startLagMonitor(options: {
  consumer: AnyConsumer;
  groupId: string;
  metrics: KafkaMetrics;
  logger: Logger;
  intervalMs: number;
}): { stop(): void; snapshot(): Promise<Record<string, number>> } {
  let last: Record<string, number> = {};

  const measure = async (): Promise<Record<string, number>> => {
    const assignments = options.consumer.assignments;
    if (!assignments || assignments.length === 0) return {};
    const [latest, committed] = await Promise.all([
      options.consumer.listOffsets({
        topics: assignments.map((assignment) => assignment.topic),
        partitions: Object.fromEntries(assignments.map((a) => [a.topic, a.partitions])),
        timestamp: ListOffsetTimestamps.LATEST,
      }),
      options.consumer.listCommittedOffsets({ topics: assignments }),
    ]);
    const result: Record<string, number> = {};
    for (const { topic, partitions } of assignments) {
      for (const partition of partitions) {
        const end = latest.get(topic)?.[partition];
        const done = committed.get(topic)?.[partition];
        if (end === undefined || end < 0n) continue;
        const lag = Number(done === undefined || done < 0n ? end : end - done);
        result[`${topic}/${partition}`] = lag;
        options.metrics.lag.set({ group: options.groupId, topic, partition: String(partition) }, lag);
      }
    }
    last = result;
    return result;
  };

  const timer = setInterval(() => {
    measure().catch((error: unknown) => options.logger.debug({ err: error }, "lag measurement failed"));
  }, options.intervalMs);
  timer.unref();

  return {
    stop: () => clearInterval(timer),
    snapshot: async () => {
      try {
        return await measure();
      } catch {
        return last;
      }
    },
  };
}
