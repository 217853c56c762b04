import { setTimeout as sleep } from "node:timers/promises";
import { replayHeadersOf, withReplayOutcomes } from "../contracts/dlq";
import type { ChannelCommand, DeliveryEvent } from "../contracts/messages";
import {
  deliveryEventFor,
  deliveryEventPayload,
  parseChannelCommand,
  shownRecipient,
} from "../contracts/records";
import { AppError, errorMessage, RetryableError } from "../errors";
import type {
  ConsumedMessage,
  DeadLetterWriter,
  KafkaProducer,
  OutgoingMessage,
  PoisonFailure,
} from "../kafka/index";
import type { Logger } from "../logger";
import { ATTR } from "../tracing/attributes";
import { inSpan, type Span, SpanKind } from "../tracing/spans";
import type { CircuitBreaker } from "./breaker";
import { type DeadLetterTarget, deadLetterRecords, type Failure } from "./dead-letter";
import type { DedupStore, SentRecord } from "./dedup";
import type { DeliveryMetrics } from "./metrics";
import type { ChannelStrategy, SendAttempt } from "./types";

export interface RetryPolicy {
  /** One delay per retry: 3 retries → [1000, 2000, 4000]. */
  delaysMs: number[];
  /** Up to this fraction is added at random so retries of many messages spread out. */
  jitterRatio: number;
  /** Cap on a provider's Retry-After. */
  maxRetryAfterMs: number;
}

export interface HandlerDeps<R> {
  strategy: ChannelStrategy<R>;
  producer: KafkaProducer;
  deadLetters: DeadLetterWriter;
  dedup: DedupStore;
  breaker: CircuitBreaker;
  metrics: DeliveryMetrics;
  logger: Logger;
  retry: RetryPolicy;
  target: DeadLetterTarget;
  /** Consecutive timeouts (channel-wide) that open the breaker. */
  timeoutsToOpen: number;
  /** Aborted on shutdown: waits end, the message stays uncommitted and is redelivered. */
  signal: AbortSignal;
  /** Shared mutable count of timeouts in a row across all sends of this channel. */
  timeouts: { inARow: number };
}

type Outcome = { ok: true; record: SentRecord } | { ok: false; failure: Failure; gone?: true };

/** A status event of `command`'s notification for its outcome topic, tagged as the command was (replays). */
function statusEvent(
  command: ChannelCommand,
  change: Pick<DeliveryEvent, "status" | "recipient" | "at"> & Partial<DeliveryEvent>,
  topic: string,
  replay: Record<string, string>,
): OutgoingMessage {
  const event = deliveryEventPayload(deliveryEventFor(command, change));
  return { ...event, topic, headers: { ...event.headers, ...replay } };
}

const sentChange = (record: SentRecord, recipient: string) => ({
  status: "SENT" as const,
  recipient,
  at: record.at,
  attempts: record.attempts,
  ...(record.providerMessageId ? { providerMessageId: record.providerMessageId } : {}),
  latencyMs: record.latencyMs,
});

/** The recipient is gone (FailureKind `gone`): SKIPPED with the reason, never a dead letter. */
const skippedChange = (failure: Failure, recipient: string) => ({
  status: "SKIPPED" as const,
  recipient,
  at: new Date().toISOString(),
  attempts: failure.attempts,
  reasonCode: failure.code,
  errorMessage: failure.message.slice(0, 2_000),
});

/**
 * Reports the notification PENDING whenever its send is delayed: at every scheduled retry
 * (`attempts` = the attempt that failed, with its failure) and each time it starts waiting
 * for a provider that is down (once per wait). Ingest opens no PENDING row (SENT or FAILED
 * follows within milliseconds on the normal path), so this is how the read model shows a
 * notification that is waiting, and why, and how its timeline shows every attempt. Best
 * effort: the outcome event that follows is what counts.
 */
function delayReporter<R>(deps: HandlerDeps<R>, command: ChannelCommand) {
  return async (reasonCode: string, errorMessage: string, attempts: number) => {
    const event = deliveryEventPayload(
      deliveryEventFor(command, {
        status: "PENDING",
        recipient: shownRecipient(command),
        at: new Date().toISOString(),
        attempts,
        reasonCode,
        errorMessage: errorMessage.slice(0, 2_000),
      }),
    );
    await deps.producer
      .send([{ ...event, topic: deps.target.deliveryEventsTopic }])
      .catch((error: unknown) => deps.logger.warn({ err: error }, "could not report a delayed send"));
  };
}

/** One provider call as a CLIENT span: which attempt, and how it ended (ok or the verdict's kind/code). */
function sendAttempt<R>(
  deps: HandlerDeps<R>,
  rendered: R,
  command: ChannelCommand,
  number: number,
  attempt: SendAttempt,
) {
  const channel = deps.strategy.channel;
  return inSpan(
    `send ${channel}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR.channel]: channel,
        [ATTR.attempt]: number,
        [ATTR.notificationId]: command.notificationId,
      },
    },
    async (span) => {
      try {
        const result = await deps.strategy.send(rendered, command, attempt);
        span.setAttribute(ATTR.outcome, "ok");
        return result;
      } catch (error) {
        // Only for a recorded span: with tracing off the caller's classification is the only one.
        if (span.isRecording()) {
          const verdict = deps.strategy.classify(error);
          span.setAttribute(ATTR.outcome, verdict.kind);
          span.setAttribute(ATTR.errorCode, verdict.code);
        }
        throw error;
      } finally {
        // Named by the strategy during the call (push: Web Push or FCM by the device).
        span.setAttribute(ATTR.provider, attempt.provider);
      }
    },
  );
}

/** Sends with retries; provider-down failures wait for the breaker and do not count. */
async function sendWithRetries<R>(deps: HandlerDeps<R>, command: ChannelCommand): Promise<Outcome> {
  const { strategy, metrics, retry, breaker } = deps;
  const channel = strategy.channel;
  const reportDelay = delayReporter(deps, command);
  let rendered: R;
  try {
    rendered = await strategy.render(command);
  } catch (error) {
    // Rendering is deterministic: whatever fails here fails the same way on every retry.
    const code = error instanceof AppError ? error.code : "RENDER_FAILED";
    return { ok: false, failure: { code, message: errorMessage(error), retryCount: 0, attempts: 0 } };
  }
  let attempts = 0;
  for (;;) {
    // Each wait is reported once: the loop comes back here only after a send was tried.
    if (breaker.state === "open") {
      await reportDelay("PROVIDER_DOWN", `${channel} provider is down; waiting for it`, attempts);
    }
    await breaker.whenClosed(deps.signal);
    const started = performance.now();
    const attempt = { provider: strategy.provider };
    try {
      const result = await sendAttempt(deps, rendered, command, attempts + 1, attempt);
      const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      attempts++;
      deps.timeouts.inARow = 0;
      metrics.sendSeconds.observe({ channel, provider: attempt.provider, result: "ok" }, latencyMs / 1000);
      const record: SentRecord = { at: new Date().toISOString(), attempts, latencyMs, reported: false };
      if (result.providerMessageId) record.providerMessageId = result.providerMessageId;
      return { ok: true, record };
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      metrics.sendSeconds.observe({ channel, provider: attempt.provider, result: "error" }, seconds);
      const verdict = strategy.classify(error);
      const message = errorMessage(error);
      if (verdict.timeout) deps.timeouts.inARow++;
      const down =
        verdict.kind === "provider_down" || (verdict.timeout && deps.timeouts.inARow >= deps.timeoutsToOpen);
      if (down) {
        // Not the message's fault: it waits for the provider and keeps its attempt budget.
        breaker.open(`${verdict.code}: ${message}`);
        continue;
      }
      attempts++;
      if (verdict.kind === "gone") {
        return { ok: false, gone: true, failure: { code: verdict.code, message, retryCount: 0, attempts } };
      }
      const retries = attempts - 1;
      if (verdict.kind === "permanent" || retries >= retry.delaysMs.length) {
        return { ok: false, failure: { code: verdict.code, message, retryCount: retries, attempts } };
      }
      const base = retry.delaysMs[retries] ?? 1_000;
      const delay =
        verdict.retryAfterMs !== undefined
          ? Math.min(verdict.retryAfterMs, retry.maxRetryAfterMs)
          : base * (1 + Math.random() * retry.jitterRatio);
      deps.logger.info(
        {
          notificationId: command.notificationId,
          code: verdict.code,
          attempt: attempts,
          delayMs: Math.round(delay),
        },
        "send failed; retrying",
      );
      metrics.retries.inc({ channel, code: verdict.code });
      await reportDelay(verdict.code, message, attempts);
      await sleep(delay, undefined, { signal: deps.signal });
    }
  }
}

/**
 * One command, start to finish. Returns normally once the outcome is durable in Kafka
 * (SENT event, or DLQ record + FAILED event); throws only for "not done yet" (Redis or
 * Kafka unavailable, shutdown, another worker holding the lock), which the consumer
 * runner retries without committing.
 */
export async function handleCommand<R>(deps: HandlerDeps<R>, message: ConsumedMessage): Promise<void> {
  const { strategy, metrics, producer, dedup, target } = deps;
  const channel = strategy.channel;
  const parsed = parseChannelCommand(message.value);
  if (!parsed.ok || parsed.value.channel !== channel) {
    const reason = parsed.ok
      ? `command for channel ${parsed.value.channel} on the ${channel} topic`
      : parsed.reason;
    const failure = { code: "COMMAND_INVALID", message: reason, retryCount: 0, attempts: 0 };
    const { deadLetter, alongside } = deadLetterRecords(message, channel, undefined, failure, target);
    await deps.deadLetters.send([deadLetter], alongside);
    metrics.deadLetters.inc({ channel, code: failure.code });
    metrics.sends.inc({ channel, outcome: "failed" });
    deps.logger.warn(
      { topic: message.topic, offset: message.offset.toString(), reason },
      "invalid command dead-lettered",
    );
    return;
  }
  const replay = replayHeadersOf(message.headers);
  const isReplay = Object.keys(replay).length > 0;
  const command = isReplay && strategy.readdress ? await strategy.readdress(parsed.value) : parsed.value;
  const recipient = shownRecipient(command);
  const eventsTopic = target.deliveryEventsTopic;
  const reported = (records: OutgoingMessage[]) =>
    withReplayOutcomes(records, eventsTopic, target.replayOutcomesTopic);

  const claimed = await dedup.claim(command.notificationId);
  if (claimed.kind === "sent") {
    const already = claimed.record;
    metrics.duplicates.inc({ channel });
    metrics.sends.inc({ channel, outcome: "duplicate" });
    // A crash between send and event publish left the SENT event unreported: report it now.
    // A replay of something already sent reports it too, so dlq-admin sees it resolved.
    if (!already.reported || isReplay) {
      await producer.send(
        reported([statusEvent(command, sentChange(already, recipient), eventsTopic, replay)]),
      );
      if (!already.reported) await dedup.markSent(command.notificationId, { ...already, reported: true });
    }
    return;
  }
  if (claimed.kind === "busy") {
    throw new RetryableError(
      "DELIVERY_IN_PROGRESS",
      `notification ${command.notificationId} is being sent elsewhere`,
    );
  }
  const { claim } = claimed;
  // The delivery of this notification, a child of the command's consumer span: its attempts
  // are children of it, and the delivery event and any dead letter continue from it.
  await inSpan(
    `deliver ${channel}`,
    {
      attributes: {
        [ATTR.channel]: channel,
        [ATTR.provider]: deps.strategy.provider,
        [ATTR.notificationId]: command.notificationId,
        [ATTR.eventId]: command.eventId,
        [ATTR.tenantId]: command.tenantId,
      },
    },
    (span) => deliver(deps, { message, command, claim, recipient, replay, reported, span }),
  );
}

/** From a claimed command to its durable outcome (see handleCommand). */
async function deliver<R>(
  deps: HandlerDeps<R>,
  job: {
    message: ConsumedMessage;
    command: ChannelCommand;
    claim: { release(record?: SentRecord): Promise<void> };
    recipient: string;
    replay: Record<string, string>;
    reported: (records: OutgoingMessage[]) => OutgoingMessage[];
    span: Span;
  },
): Promise<void> {
  const { strategy, metrics, producer, dedup, target } = deps;
  const { message, command, claim, recipient, replay, reported, span } = job;
  const channel = strategy.channel;
  const eventsTopic = target.deliveryEventsTopic;
  let released = false;
  try {
    const outcome = await sendWithRetries(deps, command);
    span.setAttribute(ATTR.outcome, outcome.ok ? "sent" : outcome.gone ? "skipped" : "failed");
    span.setAttribute(ATTR.attempts, outcome.ok ? outcome.record.attempts : outcome.failure.attempts);
    if (outcome.ok) {
      // Marked sent (not yet reported) and unlocked in one round trip, before the SENT event
      // is published: if that publish fails or the process dies, the redelivered command
      // finds the mark and reports instead of sending again. Flagging the mark "reported"
      // afterwards is not waited for (it rides along with other commands, auto-pipelined):
      // should it be lost, a redelivery merely publishes the SENT event once more.
      released = true;
      await claim.release(outcome.record);
      await producer.send(
        reported([statusEvent(command, sentChange(outcome.record, recipient), eventsTopic, replay)]),
      );
      dedup
        .markSent(command.notificationId, { ...outcome.record, reported: true })
        .catch((error: unknown) => deps.logger.warn({ err: error }, "could not flag SENT event as reported"));
      metrics.sends.inc({ channel, outcome: "sent" });
      metrics.attempts.observe({ channel, outcome: "sent" }, outcome.record.attempts);
      return;
    }
    const { failure } = outcome;
    if (outcome.gone) {
      await producer.send(
        reported([statusEvent(command, skippedChange(failure, recipient), eventsTopic, replay)]),
      );
      metrics.sends.inc({ channel, outcome: "skipped" });
      deps.logger.info(
        { notificationId: command.notificationId, code: failure.code },
        "recipient gone; delivery skipped",
      );
      return;
    }
    const { deadLetter, alongside } = deadLetterRecords(message, channel, command, failure, target);
    await deps.deadLetters.send([deadLetter], alongside);
    metrics.deadLetters.inc({ channel, code: failure.code });
    metrics.sends.inc({ channel, outcome: "failed" });
    metrics.attempts.observe({ channel, outcome: "failed" }, failure.attempts);
    deps.logger.warn(
      { notificationId: command.notificationId, code: failure.code, retryCount: failure.retryCount },
      "delivery failed; dead-lettered",
    );
  } finally {
    if (!released) await claim.release().catch(() => {});
  }
}

/**
 * The runner's dead-letter for a command isolated as poison: something in it fails every
 * attempt in a way the handler did not foresee. A command that parses still gets its FAILED
 * delivery event, so the read model does not show it PENDING for ever.
 */
export function deadLetterPoisonCommand<R>(deps: HandlerDeps<R>) {
  return async (message: ConsumedMessage, poison: PoisonFailure): Promise<void> => {
    const parsed = parseChannelCommand(message.value);
    const command = parsed.ok && parsed.value.channel === deps.strategy.channel ? parsed.value : undefined;
    const failure = { code: poison.code, message: poison.reason, retryCount: 0, attempts: 0 };
    const records = deadLetterRecords(message, deps.strategy.channel, command, failure, deps.target);
    await deps.deadLetters.send([records.deadLetter], records.alongside);
    deps.metrics.deadLetters.inc({ channel: deps.strategy.channel, code: poison.code });
    deps.metrics.sends.inc({ channel: deps.strategy.channel, outcome: "failed" });
  };
}
