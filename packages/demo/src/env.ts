import { CHANNELS } from "@fluxnotify/shared/contracts";
import { tokenSigningEnv } from "@fluxnotify/shared/dev-token";
import { inAppChannelEnv, kafkaEnv, loadEnv, redisEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

/**
 * The demo's configuration, the only place it reads the environment. Defaults fit a running
 * bin/dev; the e2e suite points every address at its private platform. REDIS_URL and
 * INAPP_CHANNEL_PREFIX only shape the redis-cli commands it prints.
 */
const origin = (fallback: string) =>
  z
    .url({ protocol: /^https?$/ })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ""));
const optionalText = z.preprocess((value) => (value === "" ? undefined : value), z.string().optional());

const shape = {
  KAFKA_BROKERS: kafkaEnv.KAFKA_BROKERS,
  /** query-api: settings are saved and history read through it. */
  QUERY_API_URL: origin("http://127.0.0.1:8080"),
  /** The demo user; a DEMO_TOKEN names its own (and these must then agree with it). */
  DEMO_TENANT: optionalText,
  DEMO_USER: optionalText,
  /** Saved as the user's contact address (default `{user}@example.com`; maildev catches all). */
  DEMO_EMAIL: z.preprocess((value) => (value === "" ? undefined : value), z.email().optional()),
  /**
   * Saved as the user's own Slack webhook: a path of bin/dev's Slack stand-in, beside the
   * tenant's operations channel (/services/local). query-api must allow-list its host.
   */
  DEMO_SLACK_WEBHOOK_URL: z
    .union([z.literal("none"), z.url({ protocol: /^https?$/ })])
    .default("http://127.0.0.1:4010/services/demo-user")
    .transform((value) => (value === "none" ? undefined : value))
    .describe('"none": the user gets no webhook of their own'),
  /**
   * Where the demo gets its "browser": POST returns a Web Push subscription (endpoint and
   * keys) of a push-service stand-in that decrypts what it is sent (bin/dev's, on 4021; the
   * same name gives the same browser, so running again registers no new device). The demo
   * registers it through query-api as a site would. "none": the user has no device, and PUSH
   * is SKIPPED (not waited for).
   */
  DEMO_PUSH_BROWSER_URL: z
    .union([z.literal("none"), z.url({ protocol: /^https?$/ })])
    .default("http://127.0.0.1:4021/browsers/demo")
    .transform((value) => (value === "none" ? undefined : value)),
  /** Where people see the pushes the stand-in received, decrypted (bin/dev's stand-in). */
  DEMO_PUSH_UI_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4021/"),
  /**
   * The channels whose SENT the demo waits for (default: every channel the story reaches).
   * Where a channel cannot deliver (compose has no Slack stand-in: Slack webhooks must be
   * https), leave it out and the demo says it was not waited for.
   */
  DEMO_CHANNELS: z
    .string()
    .default(CHANNELS.join(","))
    .transform((value) =>
      value
        .split(",")
        .map((channel) => channel.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(CHANNELS)).min(1)),
  /** Where to read the mail (maildev's web UI in bin/dev). */
  DEMO_MAIL_UI_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:1080/index.html"),
  /** How long to wait for every delivery to show SENT in the history. */
  DEMO_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** A JWT for the demo user; required where the demo may not sign one (NODE_ENV=production). */
  DEMO_TOKEN: optionalText,
  REDIS_URL: redisEnv.REDIS_URL,
  ...inAppChannelEnv,
  ...tokenSigningEnv,
};

export type DemoEnv = z.infer<z.ZodObject<typeof shape>>;

export const loadDemoEnv = (source: NodeJS.ProcessEnv = process.env): DemoEnv => loadEnv(shape, source);
