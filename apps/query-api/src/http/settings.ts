import type { Database } from "@fluxnotify/db";
import { findUserSettings, replaceUserSettings, type StoredSettings } from "@fluxnotify/db/queries/settings";
import { type ContactConfig, type ContactPoints, channelDefinition } from "@fluxnotify/shared/channels";
import {
  CHANNELS,
  DEFAULT_ROUTES,
  defaultSettings,
  EVENT_TYPES,
  settingsCacheKey,
  shortEventType,
} from "@fluxnotify/shared/contracts";
import type { AllowListPolicy } from "@fluxnotify/shared/delivery";
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
 * The contact points the API edits, from the channel definitions: each channel that has one
 * names its field (email, slackWebhookUrl) and its validation, the same check its worker
 * applies before sending. Stored as `contacts` keyed by channel; the API's field names are
 * CONTRACT §4's and do not change with the storage.
 */
const CONTACT_FIELDS = CHANNELS.flatMap((channel) => {
  const contact = channelDefinition(channel).contact;
  return contact ? [{ channel, ...contact }] : [];
});

const contactFields = (config: ContactConfig) =>
  Object.fromEntries(
    CONTACT_FIELDS.map((field) => [
      field.settingsField,
      field.schema(config).nullable().default(null).describe(field.description),
    ]),
  );

export const settingsBody = (policy: AllowListPolicy) =>
  z.strictObject(
    {
      ...contactFields({ slackAllowList: policy }),
      locale: z.enum(["ko", "en"]).default("ko"),
      timeZone: z
        .string()
        .max(100)
        .refine(isIanaTimeZone, "must be an IANA time zone such as Asia/Seoul")
        .default("Asia/Seoul"),
      channels: channelSwitches.default({}).describe("master switch per channel; absent = on"),
      eventTypes: eventTypeSwitches
        .default({})
        .describe("per short event type, overriding the master switches"),
    },
    { error: unknownKeys("field") },
  );

const settingsResponse = z.object({
  ...Object.fromEntries(CONTACT_FIELDS.map((field) => [field.settingsField, z.string().nullable()])),
  locale: z.enum(["ko", "en"]),
  timeZone: z.string(),
  channels: z.record(z.string(), z.boolean()),
  eventTypes: z.record(z.string(), z.record(z.string(), z.boolean())),
  updatedAt: z.iso.datetime().nullable().describe("null while the user has never saved settings"),
});

type SettingsResponse = z.infer<typeof settingsResponse> & Record<string, unknown>;

/** The API's contact fields from stored contacts (null where the user has none). */
const presentContacts = (contacts: ContactPoints) =>
  Object.fromEntries(CONTACT_FIELDS.map((field) => [field.settingsField, contacts[field.channel] ?? null]));

/** The stored contacts from the API's fields. */
const contactsOf = (body: Record<string, unknown>): ContactPoints =>
  Object.fromEntries(
    CONTACT_FIELDS.flatMap((field) => {
      const value = body[field.settingsField];
      return typeof value === "string" ? [[field.channel, value]] : [];
    }),
  );

function present(stored: StoredSettings | undefined): SettingsResponse {
  if (!stored) {
    const { locale, timeZone } = defaultSettings();
    return { ...presentContacts({}), locale, timeZone, channels: {}, eventTypes: {}, updatedAt: null };
  }
  return {
    ...presentContacts(stored.contacts),
    locale: stored.locale === "en" ? "en" : "ko",
    timeZone: stored.timeZone,
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
        locale: body.locale,
        timeZone: body.timeZone,
        contacts: contactsOf(body),
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
