import { type Database, schema } from "@fluxnotify/db";
import type { Population } from "./population";

/**
 * Writes the population's tenants and settings rows straight into the platform's database,
 * before any event of the run is produced (the ingest worker caches what it reads).
 */
export async function seedPopulation(db: Database, population: Population): Promise<void> {
  await db.insert(schema.tenants).values(
    population.tenants.map((tenant) => ({
      tenantId: tenant.id,
      name: tenant.id,
      timeZone: tenant.timeZone,
      slackWebhookUrl: tenant.opsWebhook,
    })),
  );
  const rows = population.users.flatMap((user) =>
    user.row
      ? [
          {
            tenantId: user.tenantId,
            userId: user.userId,
            locale: user.row.locale,
            timeZone: user.row.timeZone,
            contacts: user.row.contacts,
            channels: user.row.channels,
            // Partial on our side only because absent keys mean "default"; the column takes the same map.
            eventTypes: user.row.eventTypes as Record<string, Record<string, boolean>>,
          },
        ]
      : [],
  );
  for (let i = 0; i < rows.length; i += 500)
    await db.insert(schema.userNotificationSettings).values(rows.slice(i, i + 500));
  const devices = population.users.flatMap((user) =>
    user.devices.map((device, n) => ({
      id: device.id,
      tenantId: user.tenantId,
      userId: user.userId,
      type: "webpush" as const,
      address: device.endpoint,
      keys: device.keys,
      label: `browser ${n + 1}`,
    })),
  );
  for (let i = 0; i < devices.length; i += 500)
    await db.insert(schema.pushSubscriptions).values(devices.slice(i, i + 500));
}
