import { setTimeout as sleep } from "node:timers/promises";
import {
  baseClientOptions,
  Consumer,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  stringDeserializer,
} from "./client";
import {
  type ConsumedMessage,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type EachMessageOptions,
  toConsumed,
} from "./consumer-types";
import { startLagMonitor } from "./lag-monitor";
import { kafkaMetrics } from "./metrics";
import { OffsetTracker } from "./offset-tracker";
import { Gate, Semaphore } from "./semaphore";

/**
 * At-least-once consumption: an offset is committed only once it and every offset before
 * it in its partition are done. A failing handler is retried with backoff and never
 * skipped: handlers dead-letter bad input themselves, so a throw means "not done yet".
 */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const { groupId, logger } = options;
  const metrics = kafkaMetrics(options.registry);
  const concurrency = "handler" in options ? (options.concurrency ?? 16) : 1;
  const consumer = new Consumer({
    ...baseClientOptions(options.connection),
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 60_000,
    // A fetch returns once 16 KiB are there or 25 ms passed: under load each request
    // carries many records instead of one (at 200 events/s the broker spent more CPU than
    // any app on near-empty fetches), for at most 25 ms of added latency per hop when idle.
    maxWaitTime: options.maxWaitTimeMs ?? 25,
    minBytes: options.minBytes ?? 16 * 1024,
    autocommit: false,
    highWaterMark: Math.max(64, concurrency * 4),
    deserializers: {
      key: stringDeserializer,
      headerKey: stringDeserializer,
      headerValue: stringDeserializer,
    },
  });
  const tracker = new OffsetTracker();
  // Handlers running at once, and messages accepted but not finished (running or waiting
  // behind an earlier message of their key). A slot is taken only when a message's turn
  // comes, so a key stuck in retries holds one slot, not every slot its successors wait in.
  const slots = new Semaphore(concurrency);
  const accepted = new Semaphore(Math.max(64, concurrency * 8));
  const gate = new Gate();
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const keyChains = new Map<string, Promise<void>>();
  let assigned: Array<{ topic: string; partitions: number[] }> = [];
  let stream: MessagesStream<string, Buffer, string, string> | undefined;
  let loop: Promise<void> | undefined;
  let committing: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let lagMonitor: ReturnType<typeof startLagMonitor> | undefined;
  let commitTimer: NodeJS.Timeout | undefined;
  let everOpened = false;

  const isAssigned = (topic: string, partition: number) =>
    assigned.some((a) => a.topic === topic && a.partitions.includes(partition));

  consumer.on("consumer:group:join", ({ assignments = [] }) => {
    for (const previous of assigned) {
      for (const partition of previous.partitions) {
        const kept = assignments.some((a) => a.topic === previous.topic && a.partitions.includes(partition));
        if (!kept) tracker.forget(previous.topic, partition); // its new owner re-processes the tail
      }
    }
    assigned = assignments;
    logger.info({ groupId, assignments }, "partitions assigned");
  });
  // Eager rebalance: commit what is done before partitions move (best effort, not awaited).
  consumer.on("consumer:group:rebalance", () => void commitDone());

  async function commitOnce(): Promise<void> {
    const offsets = tracker.pendingCommits().filter((p) => isAssigned(p.topic, p.partition));
    if (offsets.length === 0) return;
    try {
      await consumer.commit({ offsets: offsets.map((p) => ({ ...p, leaderEpoch: -1 })) });
      for (const p of offsets) tracker.markCommitted(p.topic, p.partition, p.offset);
      metrics.commits.inc({ group: groupId, result: "ok" });
    } catch (error) {
      metrics.commits.inc({ group: groupId, result: "error" });
      logger.warn({ err: error, groupId }, "offset commit failed; will retry");
    }
  }

  /** Commits are serialised so a slower, older commit can never overwrite a newer one. */
  function commitDone(): Promise<void> {
    committing = (committing ?? Promise.resolve()).then(commitOnce);
    return committing;
  }

  async function runUntilDone(work: () => Promise<void>, topic: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const timer = metrics.handlerSeconds.startTimer({ group: groupId, topic });
      try {
        await work();
        timer();
        return true;
      } catch (error) {
        metrics.handlerErrors.inc({ group: groupId, topic });
        if (abort.signal.aborted) return false; // shutting down: leave it uncommitted
        const backoffMs = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
        logger.error({ err: error, groupId, topic, attempt, backoffMs }, "handler failed; retrying");
        try {
          await sleep(backoffMs, undefined, { signal: abort.signal });
        } catch {
          return false;
        }
      }
    }
  }

  function dispatch(message: ConsumedMessage, handler: EachMessageOptions["handler"]): void {
    const chainKey =
      message.key === undefined ? undefined : `${message.topic}\0${message.partition}\0${message.key}`;
    const previous = chainKey === undefined ? undefined : keyChains.get(chainKey);
    const run: Promise<void> = (previous ?? Promise.resolve())
      .then(async () => {
        if (!(await slots.acquire())) return false; // stopping: leave it uncommitted
        try {
          return await runUntilDone(() => handler(message), message.topic);
        } finally {
          slots.release();
        }
      })
      .then((done) => {
        if (!done) return;
        tracker.complete(message.topic, message.partition, message.offset);
        metrics.consumed.inc({ group: groupId, topic: message.topic });
      })
      .finally(() => {
        accepted.release();
        inFlight.delete(run);
        if (chainKey !== undefined && keyChains.get(chainKey) === run) keyChains.delete(chainKey);
        metrics.inFlight.set({ group: groupId }, tracker.inFlight());
      });
    inFlight.add(run);
    if (chainKey !== undefined) keyChains.set(chainKey, run);
  }

  async function consumeStream(current: MessagesStream<string, Buffer, string, string>): Promise<void> {
    let batch: ConsumedMessage[] = [];
    for await (const raw of current) {
      await gate.wait();
      if (stopping) break;
      const message = toConsumed(raw);
      // Buffered records of a partition we no longer own: its new owner handles them.
      if (!isAssigned(message.topic, message.partition)) continue;
      if (!tracker.track(message.topic, message.partition, message.offset)) continue; // seen already
      metrics.inFlight.set({ group: groupId }, tracker.inFlight());
      if ("handler" in options) {
        if (!(await accepted.acquire())) break;
        dispatch(message, options.handler);
        continue;
      }
      batch.push(message);
      if (batch.length >= (options.maxBatchSize ?? 500) || current.readableLength === 0) {
        const messages = batch;
        batch = [];
        const done = await runUntilDone(() => options.batchHandler(messages), messages[0]?.topic ?? "");
        if (!done) break;
        for (const m of messages) tracker.complete(m.topic, m.partition, m.offset);
        metrics.consumed.inc({ group: groupId, topic: messages[0]?.topic ?? "" }, messages.length);
        metrics.inFlight.set({ group: groupId }, tracker.inFlight());
      }
    }
  }

  async function consumeForever(onFirstStream: () => void, onFatal: (error: unknown) => void): Promise<void> {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        stream = await consumer.consume({
          topics: options.topics,
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode:
            options.startFrom === "latest"
              ? MessagesStreamFallbackModes.LATEST
              : MessagesStreamFallbackModes.EARLIEST,
          autocommit: false,
        });
        attempt = 0;
        everOpened = true;
        onFirstStream();
        await consumeStream(stream);
      } catch (error) {
        if (stopping) return;
        if (attempt === 0) onFatal(error);
        logger.error({ err: error, groupId }, "consumer stream failed; reconnecting");
        await sleep(Math.min(10_000, 500 * 2 ** attempt), undefined, { signal: abort.signal }).catch(
          () => {},
        );
      } finally {
        await stream?.close().catch(() => {});
        stream = undefined;
      }
    }
  }

  return {
    start() {
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        loop = consumeForever(
          () => {
            if (!settled) resolve();
            settled = true;
          },
          (error) => {
            if (!settled) reject(error);
            settled = true;
          },
        );
        commitTimer = setInterval(() => void commitDone(), options.commitIntervalMs ?? 1_000);
        lagMonitor = startLagMonitor({
          consumer,
          groupId,
          metrics,
          logger,
          intervalMs: options.lagIntervalMs ?? 10_000,
        });
      });
    },
    pause() {
      gate.close();
      metrics.paused.set({ group: groupId }, 1);
    },
    resume() {
      gate.open();
      metrics.paused.set({ group: groupId }, 0);
    },
    get paused() {
      return !gate.isOpen;
    },
    stop(drainTimeoutMs = 20_000) {
      stopping ??= (async () => {
        clearInterval(commitTimer);
        lagMonitor?.stop();
        slots.close();
        accepted.close();
        gate.open();
        await stream?.close().catch(() => {});
        // Before the first stream opened the loop is still joining the group: closing the
        // consumer below ends that; waiting for it would only burn the drain deadline.
        const drained = Promise.allSettled(everOpened ? [...inFlight, loop] : [...inFlight]);
        const deadline = sleep(drainTimeoutMs).then(() => "timeout" as const);
        if ((await Promise.race([drained, deadline])) === "timeout") {
          logger.warn(
            { groupId, inFlight: inFlight.size },
            "drain deadline passed; abandoning in-flight work",
          );
        }
        abort.abort();
        await commitDone();
        await consumer
          .close(true)
          .catch((error: unknown) => logger.warn({ err: error }, "consumer close failed"));
        logger.info({ groupId }, "consumer stopped");
      })();
      return stopping;
    },
    isHealthy: () => stopping === undefined && stream !== undefined && consumer.isConnected(),
    lag: () => lagMonitor?.snapshot() ?? Promise.resolve({}),
    commit: commitDone,
  };
}
