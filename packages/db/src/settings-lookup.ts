import { defaultSettings, type NotificationSettings, settingsCacheKey } from "@fluxnotify/shared/contracts";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import { findUserSettingsMany, pairKey, type SqlExecutor, type UserSettingsRow } from "./queries/ingest";
import { findPushTargetsMany, type PushTarget } from "./queries/push";

/** Routing's view of a user: the saved settings (or defaults) and the registered devices, without keys. */
export function settingsFromRow(
  row: UserSettingsRow | undefined,
  devices: PushTarget[] = [],
): NotificationSettings {
  const settings = row
    ? {
        locale: row.locale === "en" ? ("en" as const) : ("ko" as const),
        timeZone: row.timeZone,
        contacts: row.contacts,
        devices: [],
        channels: row.channels,
        eventTypes: row.eventTypes,
      }
    : defaultSettings();
  settings.devices = devices.map(({ id, type, address, label }) => ({ id, type, address, label }));
  return settings;
}

export interface SettingsLookupDeps {
  /** The client (or the caller's transaction) settings rows are read with. */
  sql: SqlExecutor;
  redis: Redis;
  logger: Logger;
  ttlSeconds: number;
}

/** One user's settings; see `loadUserSettingsMany`. */
export async function loadUserSettings(
  deps: SettingsLookupDeps,
  tenantId: string,
  userId: string,
): Promise<NotificationSettings> {
  const settings = await loadUserSettingsMany(deps, [[tenantId, userId]]);
  return settings.get(pairKey(tenantId, userId)) ?? defaultSettings();
}

/**
 * Settings of many users at once, read through a Redis cache: one MGET, one query for the
 * misses, one pipelined cache fill. query-api deletes a user's entry when their settings
 * change, so the TTL only bounds staleness if that delete is ever lost. Redis being down
 * degrades to reading PostgreSQL; PostgreSQL being down is an error (retried). Keys of the
 * result are `pairKey(tenantId, userId)`.
 */
export async function loadUserSettingsMany(
  deps: SettingsLookupDeps,
  users: Array<[tenantId: string, userId: string]>,
): Promise<Map<string, NotificationSettings>> {
  const unique = [...new Map(users.map((pair) => [pairKey(...pair), pair])).values()];
  const result = new Map<string, NotificationSettings>();
  if (unique.length === 0) return result;
  let cached: Array<string | null> = [];
  try {
    cached = await deps.redis.mget(unique.map(([tenant, user]) => settingsCacheKey(tenant, user)));
  } catch (error) {
    deps.logger.warn({ err: error }, "settings cache unavailable; reading the database");
  }
  const misses: Array<[string, string]> = [];
  unique.forEach((pair, index) => {
    const hit = cached[index];
    if (hit) result.set(pairKey(...pair), JSON.parse(hit) as NotificationSettings);
    else misses.push(pair);
  });
  if (misses.length === 0) return result;
  const [rows, devices] = await Promise.all([
    findUserSettingsMany(deps.sql, misses),
    findPushTargetsMany(deps.sql, misses),
  ]);
  const fill = deps.redis.pipeline();
  for (const [tenant, user] of misses) {
    const key = pairKey(tenant, user);
    const settings = settingsFromRow(rows.get(key), devices.get(key));
    result.set(key, settings);
    fill.set(settingsCacheKey(tenant, user), JSON.stringify(settings), "EX", deps.ttlSeconds);
  }
  fill.exec().catch(() => {});
  return result;
}
