import type { Database } from "@fluxnotify/db";
import { findUserSettings, replaceUserSettings, type StoredSettings } from "@fluxnotify/db/queries/settings";
import {
  CHANNELS,
  DEFAULT_ROUTES,
  defaultSettings,
  EVENT_TYPES,
  settingsCacheKey,
  shortEventType,
} from "@fluxnotify/shared/contracts";
import { type AllowListPolicy, checkWebhookUrl } from "@fluxnotify/shared/delivery";
import { defineRoute, HttpProblem } from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import { z } from "zod";
import { isIanaTimeZone } from "../time-zone";

const SHORT_EVENT_TYPES = [...new Set([...EVENT_TYPES.map(shortEventType), ...Object.keys(DEFAULT_ROUTES)])];

const unknownKeys = (what: string) => (issue: { code?: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys" ? `unknown ${what}: ${(issue.keys ?? []).join(", ")}` : undefined;

const channelSwitches = z.strictObject(
  Object.fromEntries(CHANNELS.map((channel) => [channel, z.boolean().optional()])),
  { error: unknownKeys(`channel (known: ${CHANNELS.join(", ")})`) },
);
const eventTypeSwitches = z.strictObject(
  Object.fromEntries(SHORT_EVENT_TYPES.map((type) => [type, channelSwitches.optional()])),
  { error: unknownKeys("event type (use short names such as payment.failed)") },
);

/**
 * Slack's webhook URLs are ~80 characters; 2048 (what browsers and most proxies take in a
 * URL) leaves room for any real one while keeping a user from storing megabytes.
 */
const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Incoming-webhook URL the slack-worker will accept: the same allow-list check, so a saved
 * webhook is never one the worker refuses (or one that points anywhere else).
 */
const slackWebhook = (policy: AllowListPolicy) =>
  z
    .string()
    .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
    .superRefine((value, ctx) => {
      if (value.length > MAX_WEBHOOK_URL_LENGTH) return; // one message is enough: it is too long
      try {
        checkWebhookUrl(value, policy);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/; not called$/, "") });
      }
    });

export const settingsBody = (policy: AllowListPolicy) =>
  z.strictObject(
    {
      email: z.email().max(254).nullable().default(null),
      locale: z.enum(["ko", "en"]).default("ko"),
      timeZone: z
        .string()
        .max(100)
        .refine(isIanaTimeZone, "must be an IANA time zone such as Asia/Seoul")
        .default("Asia/Seoul"),
      slackWebhookUrl: slackWebhook(policy).nullable().default(null),
      channels: channelSwitches.default({}).describe("master switch per channel; absent = on"),
      eventTypes: eventTypeSwitches
        .default({})
        .describe("per short event type, overriding the master switches"),
    },
    { error: unknownKeys("field") },
  );

const settingsResponse = z.object({
  email: z.string().nullable(),
  locale: z.enum(["ko", "en"]),
  timeZone: z.string(),
  slackWebhookUrl: z.string().nullable(),
  channels: z.record(z.string(), z.boolean()),
  eventTypes: z.record(z.string(), z.record(z.string(), z.boolean())),
  updatedAt: z.iso.datetime().nullable().describe("null while the user has never saved settings"),
});

function present(stored: StoredSettings | undefined): z.infer<typeof settingsResponse> {
  if (!stored) return { ...defaultSettings(), channels: {}, eventTypes: {}, updatedAt: null };
  return {
    email: stored.email,
    locale: stored.locale === "en" ? "en" : "ko",
    timeZone: stored.timeZone,
    slackWebhookUrl: stored.slackWebhookUrl,
    channels: stored.channels as Record<string, boolean>,
    eventTypes: stored.eventTypes as Record<string, Record<string, boolean>>,
    updatedAt: stored.updatedAt.toISOString(),
  };
}

export const getSettingsRoute = (db: Database) =>
  defineRoute({
    method: "get",
    path: "/api/v1/notifications/settings",
    summary: "The caller's notification settings (defaults when never saved)",
    tags: ["settings"],
    auth: "user",
    responses: { 200: { description: "Settings", schema: settingsResponse } },
    handler: async ({ principal }) => ({
      status: 200,
      body: present(await findUserSettings(db, principal.tenantId, principal.userId)),
    }),
  });

export const putSettingsRoute = (deps: {
  db: Database;
  redis: Redis;
  logger: Logger;
  slackPolicy: AllowListPolicy;
}) =>
  defineRoute({
    method: "put",
    path: "/api/v1/notifications/settings",
    summary: "Replace the caller's notification settings (omitted fields take their defaults)",
    tags: ["settings"],
    auth: "user",
    body: settingsBody(deps.slackPolicy),
    responses: {
      200: { description: "Stored settings", schema: settingsResponse },
      503: { description: "Stored, but the routing cache could not be invalidated; retry the PUT" },
    },
    handler: async ({ body, principal }) => {
      const stored = await replaceUserSettings(deps.db, principal.tenantId, principal.userId, {
        ...body,
        channels: body.channels as StoredSettings["channels"],
        eventTypes: body.eventTypes as StoredSettings["eventTypes"],
      });
      // The ingest worker reads settings through this cache: drop it so the next event sees
      // the new settings. PUT is idempotent, so on failure the client simply retries.
      try {
        await deps.redis.del(settingsCacheKey(principal.tenantId, principal.userId));
      } catch (error) {
        deps.logger.error({ err: error, tenantId: principal.tenantId }, "settings cache invalidation failed");
        throw new HttpProblem({
          status: 503,
          title: "Service Unavailable",
          detail: "settings were stored but the routing cache could not be invalidated; retry the request",
        });
      }
      return { status: 200, body: present(stored) };
    },
  });
