import type { ChannelCommand } from "../contracts/messages";
import type { Channel } from "../contracts/topics";

/**
 * How the runtime should treat a failed send: retried, dead-lettered, waited out (the
 * breaker), or `gone`: the recipient no longer exists (a push subscription the service
 * reports expired, one deleted since the command was issued). A gone delivery ends SKIPPED
 * with the code as its reason: neither retried nor dead-lettered, since nothing is wrong.
 */
export type FailureKind = "transient" | "permanent" | "provider_down" | "gone";

export interface Classification {
  kind: FailureKind;
  /** Stable error code for DLQ headers, delivery events and metrics (e.g. SMTP_MAILBOX_UNAVAILABLE). */
  code: string;
  /** Provider-requested wait before the next attempt (e.g. Slack 429 Retry-After). */
  retryAfterMs?: number;
  /**
   * A timeout: one is transient, but several in a row mean the provider is down
   * (the runtime opens the breaker after `breaker.timeoutsToOpen` consecutive ones).
   */
  timeout?: boolean;
}

export interface SendResult {
  providerMessageId?: string;
}

/**
 * One send as the runtime measures it: a strategy whose provider depends on the recipient
 * (push: Web Push or FCM by the device) names the one it used here, before it calls it.
 */
export interface SendAttempt {
  provider: string;
}

/**
 * Everything a channel contributes (Strategy): how to render a command, how to send the
 * rendering, how to judge a failure, and how to tell that a downed provider is back.
 * Retries, dedup, dead letters, the breaker and delivery events are the runtime's job.
 */
export interface ChannelStrategy<Rendered> {
  channel: Channel;
  /**
   * The provider its sends go to, for the send-latency metric's `provider` label (smtp,
   * slack-webhook, inbox, webpush); a send may name another in its `attempt` (push: by device).
   */
  provider: string;
  render(command: ChannelCommand): Promise<Rendered> | Rendered;
  send(rendered: Rendered, command: ChannelCommand, attempt?: SendAttempt): Promise<SendResult>;
  classify(error: unknown): Classification;
  /** Resolves when the provider accepts connections again; rejects while it is still down. */
  probe(): Promise<void>;
  /**
   * A replayed command (one dlq-admin put back) is sent to the contact point the user has
   * now: fixing an address in the settings and replaying must reach the fixed address.
   * Without this, a replay goes where the original command said.
   */
  readdress?(command: ChannelCommand): Promise<ChannelCommand>;
}
