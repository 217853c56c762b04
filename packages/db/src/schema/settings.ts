import { jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** Channel switch map, e.g. { EMAIL: false }: absent channels keep their default. */
export type ChannelSwitches = Partial<Record<string, boolean>>;

/** A user's contact points by channel id, e.g. { EMAIL: "kim@example.com" } (see packages/shared/src/channels). */
export type ContactPoints = Partial<Record<string, string>>;

/** A user's contact points and switches. No row = defaults (CONTRACT §2). */
export const userNotificationSettings = pgTable(
  "user_notification_settings",
  {
    tenantId: text().notNull(),
    userId: text().notNull(),
    locale: text().notNull().default("ko"),
    timeZone: text().notNull().default("Asia/Seoul"),
    /**
     * Contact points keyed by channel: data, not a column per channel, so adding a channel
     * needs no migration (migration 0005 moved the former email and slack_webhook_url here).
     */
    contacts: jsonb().$type<ContactPoints>().notNull().default({}),
    channels: jsonb().$type<ChannelSwitches>().notNull().default({}),
    /** Per short event type (e.g. "payment.failed"): channel switches overriding `channels`. */
    eventTypes: jsonb().$type<Record<string, ChannelSwitches>>().notNull().default({}),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

/** Per-tenant settings: operations Slack webhook and the time zone stats days are cut in. */
export const tenants = pgTable("tenants", {
  tenantId: text().primaryKey(),
  name: text(),
  timeZone: text().notNull().default("Asia/Seoul"),
  slackWebhookUrl: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
