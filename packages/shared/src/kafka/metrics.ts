import { Counter, Gauge, Histogram } from "prom-client";
import { LATENCY_BUCKETS, perRegistry } from "../metrics";
import { kafkaRequestCounts } from "./client";

export interface KafkaMetrics {
  consumed: Counter<"group" | "topic">;
  handlerErrors: Counter<"group" | "topic">;
  handlerSeconds: Histogram<"group" | "topic">;
  inFlight: Gauge<"group">;
  paused: Gauge<"group">;
  lag: Gauge<"group" | "topic" | "partition">;
  commits: Counter<"group" | "result">;
  poison: Counter<"group" | "topic" | "result">;
  isolations: Counter<"group" | "topic">;
  stalled: Gauge<"group" | "topic" | "partition">;
  rebalances: Counter<"group">;
  redelivered: Counter<"group" | "topic">;
  produced: Counter<"topic">;
  produceErrors: Counter<"topic">;
  produceBatchSize: Histogram;
  requests: Counter<"api">;
}

/** Kafka client metrics, created once per registry and shared by every runner in a process. */
export const kafkaMetrics = perRegistry((registry): KafkaMetrics => {
  const registers = [registry];
  const metrics: KafkaMetrics = {
    consumed: new Counter({
      name: "kafka_consumer_messages_total",
      help: "Messages handled to completion",
      labelNames: ["group", "topic"],
      registers,
    }),
    handlerErrors: new Counter({
      name: "kafka_consumer_handler_errors_total",
      help: "Handler failures (the message is retried, never skipped)",
      labelNames: ["group", "topic"],
      registers,
    }),
    handlerSeconds: new Histogram({
      name: "kafka_consumer_handler_duration_seconds",
      help: "Time to handle one message (or one batch)",
      labelNames: ["group", "topic"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    inFlight: new Gauge({
      name: "kafka_consumer_in_flight",
      help: "Fetched messages not yet done",
      labelNames: ["group"],
      registers,
    }),
    paused: new Gauge({
      name: "kafka_consumer_paused",
      help: "1 while consumption is paused (circuit open)",
      labelNames: ["group"],
      registers,
    }),
    lag: new Gauge({
      name: "kafka_consumer_lag",
      help: "High watermark minus committed offset, per partition",
      labelNames: ["group", "topic", "partition"],
      registers,
    }),
    commits: new Counter({
      name: "kafka_consumer_commits_total",
      help: "Offset commit requests",
      labelNames: ["group", "result"],
      registers,
    }),
    poison: new Counter({
      name: "kafka_consumer_poison_records_total",
      help: "Records isolated as failing for a reason no retry fixes, by result (dead_lettered, skipped)",
      labelNames: ["group", "topic", "result"],
      registers,
    }),
    isolations: new Counter({
      name: "kafka_consumer_batch_isolations_total",
      help: "Batches split to find the record a permanent failure belongs to",
      labelNames: ["group", "topic"],
      registers,
    }),
    stalled: new Gauge({
      name: "kafka_consumer_partition_stalled",
      help: "1 while a partition has work and its commit position has not moved for the stall period",
      labelNames: ["group", "topic", "partition"],
      registers,
    }),
    rebalances: new Counter({
      name: "kafka_consumer_rebalances_total",
      help: "Group joins (each rebalance that reached this member)",
      labelNames: ["group"],
      registers,
    }),
    redelivered: new Counter({
      name: "kafka_consumer_redelivered_total",
      help: "Records fetched again after a rejoin or seek and skipped as already tracked",
      labelNames: ["group", "topic"],
      registers,
    }),
    produced: new Counter({
      name: "kafka_producer_messages_total",
      help: "Messages acknowledged by the broker",
      labelNames: ["topic"],
      registers,
    }),
    produceErrors: new Counter({
      name: "kafka_producer_errors_total",
      help: "Messages whose produce request failed",
      labelNames: ["topic"],
      registers,
    }),
    produceBatchSize: new Histogram({
      name: "kafka_producer_batch_messages",
      help: "Messages per produce request",
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    requests: new Counter({
      name: "kafka_client_requests_total",
      help: "Requests sent to brokers by this process, by API (Produce, Fetch, OffsetCommit, Heartbeat, ...)",
      labelNames: ["api"],
      registers,
      collect() {
        this.reset();
        for (const [api, count] of kafkaRequestCounts()) this.inc({ api }, count);
      },
    }),
  };
  // Counting starts with the first client of the process, not at the first scrape.
  kafkaRequestCounts();
  return metrics;
});
