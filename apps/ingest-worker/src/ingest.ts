import type { Domain } from "@fluxnotify/shared/contracts";
import { type ConsumerRunner, createConsumerRunner, type KafkaConnection } from "@fluxnotify/shared/kafka";
import type { Registry } from "@fluxnotify/shared/metrics";
import type { IngestDeps } from "./deps";
import { deadLetterPoison, handleRecords } from "./handle-record";
import { sweepParked } from "./parking";

export interface IngestWorker {
  runners: ConsumerRunner[];
  isHealthy(): boolean;
  stop(drainTimeoutMs?: number): Promise<void>;
}

/**
 * One consumer group per FluxPay domain (CONTRACT §3), each handling a fetched batch at a
 * time in one transaction (offset order is kept within the batch), plus the parked-event
 * sweeper. Each group also reads its domain's replay
 * topic, where dlq-admin puts dead-lettered records back: same handler, same idempotency.
 */
export async function startIngest(
  deps: IngestDeps,
  options: {
    connection: KafkaConnection;
    registry: Registry;
    domains: Domain[];
    /** Records per fetched batch, handled in one transaction and one produce request. */
    batchSize: number;
    /** How long a small batch waits for more (see the consumer runner's batchLingerMs). */
    batchLingerMs?: number;
    sweepIntervalMs: number;
  },
): Promise<IngestWorker> {
  const { topology } = deps.config;
  const runners = options.domains.map((domain) =>
    createConsumerRunner({
      connection: options.connection,
      groupId: topology.groups[domain],
      topics: [topology.source[domain], topology.replay[domain]],
      logger: deps.logger.child({ domain }),
      registry: options.registry,
      maxBatchSize: options.batchSize,
      // Each batch is a transaction of several statements: merging what arrives within
      // 10 ms halves them at a few hundred events/s, for 10 ms of latency at most.
      batchLingerMs: options.batchLingerMs,
      batchHandler: (messages) => handleRecords(deps, domain, messages),
      deadLetter: deadLetterPoison(deps, domain),
    }),
  );
  await Promise.all(runners.map((runner) => runner.start()));

  let sweeping: Promise<void> = Promise.resolve();
  const sweepTimer = setInterval(() => {
    sweeping = sweepParked(deps).catch((error: unknown) =>
      deps.logger.warn({ err: error }, "parked sweep failed"),
    );
  }, options.sweepIntervalMs);

  return {
    runners,
    isHealthy: () => runners.every((runner) => runner.isHealthy()),
    async stop(drainTimeoutMs) {
      clearInterval(sweepTimer);
      await Promise.all(runners.map((runner) => runner.stop(drainTimeoutMs)));
      await sweeping;
    },
  };
}
