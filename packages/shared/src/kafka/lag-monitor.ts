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
  // The partitions this process last exported a lag for: one that moved to another member
  // (a rebalance) is removed, or its frozen value would sit beside its new owner's.
  let exported = new Map<string, { group: string; topic: string; partition: string }>();

  const forgetOthers = (kept: Set<string>) => {
    for (const [key, labels] of exported) {
      if (!kept.has(key)) options.metrics.lag.remove(labels);
    }
    exported = new Map([...exported].filter(([key]) => kept.has(key)));
  };

  const measure = async (): Promise<Record<string, number>> => {
    const assignments = options.consumer.assignments;
    if (!assignments || assignments.length === 0) {
      forgetOthers(new Set());
      return {};
    }
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
        const key = `${topic}/${partition}`;
        const labels = { group: options.groupId, topic, partition: String(partition) };
        result[key] = lag;
        options.metrics.lag.set(labels, lag);
        exported.set(key, labels);
      }
    }
    forgetOthers(new Set(Object.keys(result)));
    last = result;
    return result;
  };

  const timer = setInterval(() => {
    measure().catch((error: unknown) => options.logger.debug({ err: error }, "lag measurement failed"));
  }, options.intervalMs);
  timer.unref();

  return {
    stop: () => {
      clearInterval(timer);
      // A stopped consumer owns nothing: its lag is its group's other members' to report.
      forgetOthers(new Set());
    },
    snapshot: async () => {
      try {
        return await measure();
      } catch {
        return last;
      }
    },
  };
}
