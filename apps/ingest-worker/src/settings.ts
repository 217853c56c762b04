import type { Database } from "@fluxnotify/db";
import { findTenant, findUserSettings, type UserSettingsRow } from "@fluxnotify/db/queries/ingest";
import { defaultSettings, type NotificationSettings, settingsCacheKey } from "@fluxnotify/shared/contracts";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import { tenantEnvKey } from "./env";

export function settingsFromRow(row: UserSettingsRow | undefined): NotificationSettings {
  if (!row) return defaultSettings();
  return {
    email: row.email,
    locale: row.locale === "en" ? "en" : "ko",
    timeZone: row.timeZone,
    slackWebhookUrl: row.slackWebhookUrl,
    channels: row.channels,
    eventTypes: row.eventTypes,
  };
}

/**
 * A user's settings, read through a Redis cache. query-api deletes the cache entry when
 * settings change, so the TTL only bounds staleness if that delete is ever lost. Redis
 * being down degrades to reading PostgreSQL; PostgreSQL being down is an error (retried).
 */
export async function loadUserSettings(
  deps: { db: Database; redis: Redis; logger: Logger; ttlSeconds: number },
  tenantId: string,
  userId: string,
): Promise<NotificationSettings> {
  const key = settingsCacheKey(tenantId, userId);
  try {
    const cached = await deps.redis.get(key);
    if (cached) return JSON.parse(cached) as NotificationSettings;
  } catch (error) {
    deps.logger.warn({ err: error }, "settings cache unavailable; reading the database");
  }
  const settings = settingsFromRow(await findUserSettings(deps.db, tenantId, userId));
  deps.redis.set(key, JSON.stringify(settings), "EX", deps.ttlSeconds).catch(() => {});
  return settings;
}

export type TenantWebhookLookup = (db: Database, tenantId: string) => Promise<string | undefined>;

/**
 * The tenant's operations webhook: the tenants table first, then SLACK_WEBHOOK_URL_{TENANT}.
 * Cached in-process for `ttlMs` (tenant settings change rarely; every event needs them).
 */
export function createTenantWebhookLookup(
  tenantWebhooks: Record<string, string>,
  ttlMs = 60_000,
): TenantWebhookLookup {
  const cache = new Map<string, { url: string | undefined; expires: number }>();
  return async (db, tenantId) => {
    const hit = cache.get(tenantId);
    if (hit && hit.expires > Date.now()) return hit.url;
    const tenant = await findTenant(db, tenantId);
    const url = tenant?.slackWebhookUrl ?? tenantWebhooks[tenantEnvKey(tenantId)];
    cache.set(tenantId, { url, expires: Date.now() + ttlMs });
    return url;
  };
}
