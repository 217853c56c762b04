import { defaultSettings, type NotificationSettings, settingsCacheKey } from "@fluxnotify/shared/contracts";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import type { Database } from "./client";
import { findUserSettings, type UserSettingsRow } from "./queries/ingest";

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

export interface SettingsLookupDeps {
  db: Database;
  redis: Redis;
  logger: Logger;
  ttlSeconds: number;
}

/**
 * A user's settings, read through a Redis cache. query-api deletes the cache entry when
 * settings change, so the TTL only bounds staleness if that delete is ever lost. Redis
 * being down degrades to reading PostgreSQL; PostgreSQL being down is an error (retried).
 */
export async function loadUserSettings(
  deps: SettingsLookupDeps,
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
