import { setTimeout as sleep } from "node:timers/promises";
import type { KafkaProducer, OutgoingMessage } from "@fluxnotify/shared/kafka";
import { encodeEvent, type PlannedEvent } from "../workload/index";

export interface StreamOptions {
  producer: KafkaProducer;
  events: PlannedEvent[];
  /** Events per second offered; undefined = as fast as the producer acknowledges. */
  rate?: number;
  /** Events per produce request when unpaced. */
  batchSize?: number;
  /** Called after every acknowledged batch with the number produced so far. */
  onProgress?: (produced: number) => void;
  /** Gives up (throws) when a batch cannot be produced for this long (broker down for good). */
  sendTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface StreamResult {
  /** Epoch ms at which each event was encoded (its CloudEvents time), by event id. */
  producedAt: Map<string, number>;
  firstAt: number;
  lastAt: number;
}

/**
 * Sends a batch until the broker takes it. A failed request may still have been written,
 * so a retry can duplicate records in Kafka: the platform must (and does) deduplicate by
 * event id, exactly as with FluxPay's outbox relay retrying.
 */
async function sendPatiently(producer: KafkaProducer, batch: OutgoingMessage[], options: StreamOptions) {
  const deadline = Date.now() + (options.sendTimeoutMs ?? 120_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send(batch);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      if (attempt === 1) options.log?.(`produce failed (${(error as Error).message}); retrying`);
      await sleep(500);
    }
  }
}

/** Produces the planned events, each encoded (and so timestamped) just before it is sent. */
export async function produceStream(options: StreamOptions): Promise<StreamResult> {
  const { events, rate } = options;
  const producedAt = new Map<string, number>();
  const started = Date.now();
  let next = 0;
  const sendUpTo = async (end: number) => {
    const batch: OutgoingMessage[] = [];
    for (; next < end; next++) {
      const event = events[next] as PlannedEvent;
      producedAt.set(event.id, Date.now());
      batch.push(encodeEvent(event));
    }
    if (batch.length > 0) await sendPatiently(options.producer, batch, options);
    options.onProgress?.(next);
  };
  if (rate === undefined) {
    const batchSize = options.batchSize ?? 1_000;
    while (next < events.length) await sendUpTo(Math.min(events.length, next + batchSize));
  } else {
    // Paced on the wall clock: a slow request is followed by a bigger catch-up batch.
    while (next < events.length) {
      const due = Math.min(events.length, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
      if (due > next) await sendUpTo(due);
      else await sleep(5);
    }
  }
  return { producedAt, firstAt: started, lastAt: Date.now() };
}
