import type { z } from "zod";
import type { AllowListPolicy } from "../delivery/allow-list";

/**
 * One channel, one definition: everything the platform knows about a channel outside its
 * provider code lives in its module beside this file (email.ts, slack.ts, in-app.ts,
 * push.ts), and `CHANNEL_DEFINITIONS` (index.ts) lists them, checked by the compiler: the
 * ingest worker resolves destinations, query-api validates contact points, the workers take
 * their topic, group and policy, and the read model shows recipients, all from here.
 */
export interface ChannelDefinition<Id extends string = string, App extends string = string> {
  id: Id;
  /** Where its commands go (and what its worker consumes). */
  commandTopic: string;
  /** Its worker's consumer group. */
  consumerGroup: string;
  /** The app that delivers it (apps/<app>) and the port of that app's health server. */
  app: App;
  healthPort: number;
  /** Short event types (CONTRACT §2) that use this channel unless a user turns it off. */
  defaultEvents: readonly string[];
  /** The user's own contact point for this channel, if it has one (stored in settings.contacts). */
  contact?: ContactPointSpec;
  /**
   * Where a notification for this user goes: one command per destination, none = SKIPPED
   * with NO_CONTACT_POINT. Pure: every routing rule is a unit test away.
   */
  destinations(recipient: RecipientContext): Destination[];
  /**
   * What the read model shows as the recipient of `address` when a command carries no
   * `display` of its own (commands from before it existed): never a secret such as a
   * webhook's path.
   */
  display(address: string): string;
  /** Delivery policy (trigger.dev style: declared beside the channel it belongs to). */
  policy: ChannelPolicy;
}

/** A contact point a user saves through the settings API (CONTRACT §4). */
export interface ContactPointSpec {
  /** Its field in the settings API's body and response. */
  settingsField: string;
  description: string;
  /** What the API accepts; the same checks the worker applies before sending. */
  schema(config: ContactConfig): z.ZodType<string>;
}

/** Deployment settings contact-point validation depends on. */
export interface ContactConfig {
  slackAllowList: AllowListPolicy;
}

/** A user's contact points by channel id, as stored (settings `contacts`). */
export type ContactPoints = Partial<Record<string, string>>;

/** A registered push device (CONTRACT §4), as routing needs it: no keys. */
export interface PushDevice {
  id: string;
  type: "webpush" | "fcm";
  /** The Web Push endpoint URL or the FCM token. */
  address: string;
  label: string | null;
}

/** What routing knows about a recipient. */
export interface RecipientContext {
  tenantId: string;
  userId: string;
  contacts: ContactPoints;
  /** The tenant's operations-channel webhook (tenants table or SLACK_WEBHOOK_URL_{TENANT}). */
  tenantSlackWebhookUrl: string | undefined;
  devices: readonly PushDevice[];
}

/** One place a notification goes: `address` is what the command carries, `display` what users see. */
export interface Destination {
  address: string;
  display: string;
}

export interface ChannelPolicy {
  /** Commands sent at once by one worker process. */
  concurrency: number;
  /** Backoff before each retry of a transient failure (CONTRACT §3: 1 s → 2 s → 4 s). */
  retryDelaysMs: readonly number[];
  /** How often a provider behind an open breaker is probed. */
  probeIntervalMs: number;
  /** Timeouts in a row that mean the provider is down (the breaker opens). */
  timeoutsToOpen: number;
}

/** CONTRACT §3's retry schedule and the breaker's defaults; a channel overrides what differs. */
export const DEFAULT_POLICY: ChannelPolicy = {
  concurrency: 16,
  retryDelaysMs: [1_000, 2_000, 4_000],
  probeIntervalMs: 3_000,
  timeoutsToOpen: 3,
};
