import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** The two kinds of push target (CONTRACT §4): a browser's Web Push subscription, an FCM app token. */
export const PUSH_TARGET_TYPES = ["webpush", "fcm"] as const;
export type PushTargetType = (typeof PUSH_TARGET_TYPES)[number];

/** A browser subscription's keys (RFC 8291): the P-256 public key and the 16-byte auth secret, base64url. */
export interface WebPushKeys {
  p256dh: string;
  auth: string;
}

/**
 * A user's push targets: each is one device, delivered to once per notification. `address`
 * is the Web Push endpoint URL or the FCM registration token; one device is one row per
 * tenant (a browser belongs to whoever subscribed last, CONTRACT §4), so registering it
 * again, by any user of the tenant, updates that row.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: text().notNull(),
    userId: text().notNull(),
    type: text().$type<PushTargetType>().notNull(),
    address: text().notNull(),
    /** Web Push only; null for FCM. */
    keys: jsonb().$type<WebPushKeys>(),
    label: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("push_subscriptions_tenant_type_address_key").on(t.tenantId, t.type, t.address),
    index("push_subscriptions_tenant_user_idx").on(t.tenantId, t.userId),
  ],
);
