import { setTimeout as sleep } from "node:timers/promises";
import { context, trace } from "@opentelemetry/api";
import { classifyFailure, type FailureVerdict } from "../errors";
import { recordFailure, startBatchSpans, startConsumerSpan } from "../tracing/spans";
import { tracingOn } from "../tracing/state";
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

type Stream = MessagesStream<Buffer, Buffer, string, Buffer>;

/**
 * At-least-once consumption: an offset is committed only once it and every offset before
 * it in its partition are done. A handler that throws is judged by `classifyFailure`: a
 * transient failure ("not done yet": a dependency is down) is retried with backoff and
 * never skipped; a permanent one (the data itself, e.g. a value PostgreSQL refuses) is
 * isolated to its record — a failing batch is bisected — and that record alone is
 * dead-lettered, so no single record can stop a partition.
 */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const { groupId, logger } = options;
  const metrics = kafkaMetrics(options.registry);
  // Exported from the start, so dashboards and alerts read 0 rather than no data.
  metrics.paused.set({ group: groupId }, 0);
  metrics.inFlight.set({ group: groupId }, 0);
  const concurrency = "handler" in options ? (options.concurrency ?? 16) : 1;
  const consumer = new Consumer({
    ...baseClientOptions(options.connection),
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 60_000,
    // Long poll: a fetch returns as soon as anything is there and waits up to 500 ms when
    // nothing is, so an idle consumer costs next to nothing (a fetch every 25 ms burnt ~2% of
    // a core per app and 13% of the broker doing nothing) and a busy one batches by itself:
    // the stream keeps fetching while the handler works, and a batch is what piled up.
    maxWaitTime: options.maxWaitTimeMs ?? options.connection.fetch?.maxWaitMs ?? 500,
    minBytes: options.minBytes ?? options.connection.fetch?.minBytes ?? 1,
    // What one fetch may bring, bounded (the client's default is 50 MB per partition): a
    // consumer far behind otherwise buffers tens of MB of records at once, and its RSS with
    // them. A record larger than these still comes through (the broker returns at least one).
    maxBytes: 1024 * 1024,
    maxBytesPerPartition: 256 * 1024,
    autocommit: false,
    highWaterMark: Math.max(64, concurrency * 4),
    // Keys and header values stay bytes here; toConsumed decodes them strictly.
    deserializers: { headerKey: stringDeserializer },
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
  let stream: Stream | undefined;
  let loop: Promise<void> | undefined;
  let committing: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let lagMonitor: ReturnType<typeof startLagMonitor> | undefined;
  let commitTimer: NodeJS.Timeout | undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  let everOpened = false;
  const stallAfterMs = options.stallAfterMs ?? 60_000;
  const stalledLabels = new Set<string>();

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
    metrics.rebalances.inc({ group: groupId });
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

  /** Backoff before retry `attempt`; false when shutting down (the work stays uncommitted). */
  async function backoff(attempt: number, error: unknown, topic: string): Promise<boolean> {
    if (abort.signal.aborted) return false;
    const backoffMs = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
    logger.error({ err: error, groupId, topic, attempt, backoffMs }, "handler failed; retrying");
    try {
      await sleep(backoffMs, undefined, { signal: abort.signal });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs `work` until it succeeds or fails permanently. Transient failures are retried;
   * the permanent verdict is returned for the caller to isolate. False = shutting down.
   */
  async function attempt(
    work: () => Promise<void>,
    topic: string,
  ): Promise<{ done: true } | { done: false; permanent?: FailureVerdict }> {
    for (let attempt = 0; ; attempt++) {
      const timer = metrics.handlerSeconds.startTimer({ group: groupId, topic });
      try {
        await work();
        timer();
        return { done: true };
      } catch (error) {
        metrics.handlerErrors.inc({ group: groupId, topic });
        const verdict = classifyFailure(error);
        if (verdict.kind === "permanent") return { done: false, permanent: verdict };
        if (!(await backoff(attempt, error, topic))) return { done: false };
      }
    }
  }

  /** A record no retry can fix: its dead letter (retried until written), or a loud skip. */
  async function settlePoison(message: ConsumedMessage, verdict: FailureVerdict): Promise<boolean> {
    const where = {
      groupId,
      topic: message.topic,
      partition: message.partition,
      offset: String(message.offset),
    };
    logger.error(
      { ...where, code: verdict.code, reason: verdict.reason },
      "record cannot be processed; isolating it",
    );
    const { deadLetter } = options;
    if (!deadLetter) {
      metrics.poison.inc({ group: groupId, topic: message.topic, result: "skipped" });
      return true;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        // In the record's own trace (a batch's active context is the batch span).
        const write = () => deadLetter(message, { code: verdict.code, reason: verdict.reason });
        await (message.trace ? context.with(message.trace, write) : write());
        metrics.poison.inc({ group: groupId, topic: message.topic, result: "dead_lettered" });
        return true;
      } catch (error) {
        if (!(await backoff(attempt, error, message.topic))) return false;
      }
    }
  }

  /**
   * Handles `messages` as one batch; on a permanent failure, bisects until the failing
   * records stand alone and dead-letters each of them. The halves run in offset order.
   */
  async function runBatch(
    messages: ConsumedMessage[],
    handler: (batch: ConsumedMessage[]) => Promise<void>,
  ): Promise<boolean> {
    const topic = messages[0]?.topic ?? "";
    const result = await attempt(() => handler(messages), topic);
    if (result.done) return true;
    if (!result.permanent) return false;
    const [only] = messages;
    if (messages.length === 1 && only) return settlePoison(only, result.permanent);
    metrics.isolations.inc({ group: groupId, topic });
    const middle = Math.ceil(messages.length / 2);
    return (
      (await runBatch(messages.slice(0, middle), handler)) &&
      (await runBatch(messages.slice(middle), handler))
    );
  }

  const traceOptions = { groupId, traceKeys: options.traceKeys };

  /**
   * Tracing on: `run` inside the consumer span of its record (one at a time), or, for a
   * batch, inside a batch span linked to each record's own consumer span (see
   * startBatchSpans); each record's context is left on `message.trace` for the handler.
   */
  async function traced(messages: ConsumedMessage[], run: () => Promise<boolean>): Promise<boolean> {
    if (!tracingOn()) return run();
    const [only] = messages;
    if ("handler" in options && only) {
      const span = startConsumerSpan(only, traceOptions);
      if (!span) return run();
      only.trace = trace.setSpan(context.active(), span);
      try {
        return await context.with(only.trace, run);
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    }
    const spans = startBatchSpans(messages, traceOptions);
    if (!spans) return run();
    messages.forEach((message, index) => {
      message.trace = spans.contexts[index];
    });
    let failure: unknown;
    try {
      return await context.with(trace.setSpan(context.active(), spans.batch), run);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      spans.end(failure);
    }
  }

  const runOne = (message: ConsumedMessage, handler: EachMessageOptions["handler"]) =>
    traced([message], () => runBatch([message], () => handler(message)));

  function dispatch(message: ConsumedMessage, handler: EachMessageOptions["handler"]): void {
    const chainKey =
      message.key === undefined ? undefined : `${message.topic}\0${message.partition}\0${message.key}`;
    const previous = chainKey === undefined ? undefined : keyChains.get(chainKey);
    const run: Promise<void> = (previous ?? Promise.resolve())
      .then(async () => {
        if (!(await slots.acquire())) return false; // stopping: leave it uncommitted
        try {
          return await runOne(message, handler);
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

  async function consumeStream(current: Stream): Promise<void> {
    let batch: ConsumedMessage[] = [];
    let lingered = false;
    const batchLingerMs = "batchHandler" in options ? (options.batchLingerMs ?? 0) : 0;
    for await (const raw of current) {
      await gate.wait();
      if (stopping) break;
      const message = toConsumed(raw);
      // Buffered records of a partition we no longer own: its new owner handles them.
      if (!isAssigned(message.topic, message.partition)) continue;
      if (!tracker.track(message.topic, message.partition, message.offset)) {
        metrics.redelivered.inc({ group: groupId, topic: message.topic });
        continue; // seen already
      }
      metrics.inFlight.set({ group: groupId }, tracker.inFlight());
      if ("handler" in options) {
        if (!(await accepted.acquire())) break;
        dispatch(message, options.handler);
        continue;
      }
      batch.push(message);
      const full = batch.length >= (options.maxBatchSize ?? 500);
      // Long-poll fetches hand over what is there, often one record at moderate rates: a
      // short wait before a small batch lets the records arriving meanwhile share its
      // transaction (the stream keeps fetching while this waits), once per batch.
      if (!full && current.readableLength === 0 && batchLingerMs > 0 && !lingered) {
        lingered = true;
        await sleep(batchLingerMs, undefined, { signal: abort.signal }).catch(() => {});
        if (stopping) break;
        if (current.readableLength > 0) continue;
      }
      if (full || current.readableLength === 0) {
        const messages = batch;
        batch = [];
        lingered = false;
        if (!(await traced(messages, () => runBatch(messages, options.batchHandler)))) break;
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

  function stalled() {
    if (!gate.isOpen) return [];
    return tracker
      .stalled(stallAfterMs)
      .filter((p) => isAssigned(p.topic, p.partition))
      .map(({ topic, partition, stalledMs, pending }) => ({
        topic,
        partition,
        stalledSeconds: Math.round(stalledMs / 1000),
        pending,
      }));
  }

  /** Keeps kafka_consumer_partition_stalled current: 1 for each stalled partition, else 0. */
  function reportStalls(): void {
    const now = new Set<string>();
    for (const { topic, partition, stalledSeconds, pending } of stalled()) {
      const label = `${topic}\0${partition}`;
      if (!stalledLabels.has(label)) {
        logger.error({ groupId, topic, partition, stalledSeconds, pending }, "partition stalled");
      }
      now.add(label);
      metrics.stalled.set({ group: groupId, topic, partition: String(partition) }, 1);
    }
    for (const label of stalledLabels) {
      if (now.has(label)) continue;
      const [topic = "", partition = ""] = label.split("\0");
      metrics.stalled.set({ group: groupId, topic, partition }, 0);
    }
    stalledLabels.clear();
    for (const label of now) stalledLabels.add(label);
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
        stallTimer = setInterval(reportStalls, Math.min(5_000, stallAfterMs));
        stallTimer.unref();
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
      // Paused on purpose (provider down): that time was not a stall.
      if (!gate.isOpen) tracker.touchAll();
      gate.open();
      metrics.paused.set({ group: groupId }, 0);
    },
    get paused() {
      return !gate.isOpen;
    },
    stop(drainTimeoutMs = 20_000) {
      stopping ??= (async () => {
        clearInterval(commitTimer);
        clearInterval(stallTimer);
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
    stalled,
    commit: commitDone,
  };
}
