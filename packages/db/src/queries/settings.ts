import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { type ChannelSwitches, type ContactPoints, userNotificationSettings } from "../schema/settings";

/** A user's stored settings as the API reads and writes them. */
export interface StoredSettings {
  locale: string;
  timeZone: string;
  contacts: ContactPoints;
  channels: ChannelSwitches;
  eventTypes: Record<string, ChannelSwitches>;
  updatedAt: Date;
}

/** The user's saved settings, or undefined when they never saved any (callers use defaults). */
export async function findUserSettings(
  db: Database,
  tenantId: string,
  userId: string,
): Promise<StoredSettings | undefined> {
  const [row] = await db
    .select({
      locale: userNotificationSettings.locale,
      timeZone: userNotificationSettings.timeZone,
      contacts: userNotificationSettings.contacts,
      channels: userNotificationSettings.channels,
      eventTypes: userNotificationSettings.eventTypes,
      updatedAt: userNotificationSettings.updatedAt,
    })
    .from(userNotificationSettings)
    .where(and(eq(userNotificationSettings.tenantId, tenantId), eq(userNotificationSettings.userId, userId)));
  return row;
}

/** Replaces the user's settings (PUT semantics: every field is overwritten). */
export async function replaceUserSettings(
  db: Database,
  tenantId: string,
  userId: string,
  settings: Omit<StoredSettings, "updatedAt">,
): Promise<StoredSettings> {
  const now = new Date();
  const values = { ...settings, updatedAt: now };
  await db
    .insert(userNotificationSettings)
    .values({ tenantId, userId, ...values })
    .onConflictDoUpdate({
      target: [userNotificationSettings.tenantId, userNotificationSettings.userId],
      set: values,
    });
  return values;
}
