import { randomUUID } from "node:crypto";
import { defaultSettings, type NotificationSettings } from "@fluxnotify/shared/contracts";

/** A tenant of the run; `opsWebhook` is its operations Slack channel (null = none configured). */
export interface Tenant {
  id: string;
  opsWebhook: string | null;
  timeZone: string;
}

/** Why a user is in the population: each profile exercises one routing or delivery rule. */
export type Profile =
  | "ko"
  | "en"
  | "no-row"
  | "no-email"
  | "email-off"
  | "inapp-off-but-payments"
  | "own-slack"
  | "orders-muted"
  | "bouncing";

export interface User {
  tenantId: string;
  userId: string;
  profile: Profile;
  /** The settings row written for the user; null = no row, so defaults apply. */
  row: NotificationSettings | null;
  /** The browsers the user registered (push_subscriptions rows): PUSH goes to each. */
  devices: Device[];
}

/** A registered browser: its row id and the subscription the push stand-in made for it. */
export interface Device {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface Population {
  runId: string;
  tenants: Tenant[];
  users: User[];
  /** What the ingest worker will load for this user (a missing row means defaults). */
  settingsOf(tenantId: string, userId: string): NotificationSettings;
  opsWebhookOf(tenantId: string): string | null;
  /** Recipients the SMTP stand-in answers 550 for: their email is dead-lettered, by design. */
  bounces(address: string): boolean;
}

export interface PopulationOptions {
  runId: string;
  tenants?: number;
  usersPerTenant?: number;
  /** The webhook stand-in's URL for a path, e.g. sink.url("/ops/acme"). */
  webhookUrl: (path: string) => string;
  /** A browser subscription the push stand-in can decrypt for; without it, nobody has a device. */
  newBrowser?: () => { endpoint: string; keys: { p256dh: string; auth: string } };
}

/** Every 5th user has a browser registered, every 20th a second one. */
const browsersOf = (index: number) => (index % 20 === 0 ? 2 : index % 5 === 0 ? 1 : 0);

// Out of every 100 users: how many get each profile (the rest are Korean defaults with email).
const PROFILE_SLOTS: Array<[Profile, number]> = [
  ["en", 15],
  ["no-row", 5],
  ["no-email", 5],
  ["email-off", 5],
  ["inapp-off-but-payments", 4],
  ["own-slack", 3],
  ["orders-muted", 2],
  ["bouncing", 1],
];

function profileFor(index: number): Profile {
  let slot = index % 100;
  for (const [profile, share] of PROFILE_SLOTS) {
    if (slot < share) return profile;
    slot -= share;
  }
  return "ko";
}

const BOUNCE_PREFIX = "bounce-";

function settingsFor(profile: Profile, email: string, webhook: string): NotificationSettings | null {
  const base: NotificationSettings = { ...defaultSettings(), contacts: { EMAIL: email } };
  switch (profile) {
    case "ko":
      return base;
    case "en":
      return { ...base, locale: "en", timeZone: "Europe/London" };
    case "no-row":
      return null;
    case "no-email":
      return { ...base, contacts: {} };
    case "email-off":
      return { ...base, channels: { EMAIL: false } };
    case "inapp-off-but-payments":
      // The per-event-type switch wins over the master switch (most specific first).
      return { ...base, channels: { IN_APP: false }, eventTypes: { "payment.approved": { IN_APP: true } } };
    case "own-slack":
      return {
        ...base,
        contacts: { ...base.contacts, SLACK: webhook },
        eventTypes: { "payment.approved": { SLACK: true } },
      };
    case "orders-muted":
      return {
        ...base,
        eventTypes: { "order.created": { IN_APP: false }, "order.status-changed": { IN_APP: false } },
      };
    case "bouncing":
      return { ...base, contacts: { EMAIL: `${BOUNCE_PREFIX}${email}` } };
  }
}

/**
 * Tenants and users for one run, ids scoped by `runId` so runs against the same database
 * never see each other's orders or settings. The last tenant has no operations webhook, so
 * its Slack notifications are SKIPPED unless the user has a webhook of their own.
 */
export function buildPopulation(options: PopulationOptions): Population {
  const tenantCount = options.tenants ?? 3;
  const usersPerTenant = options.usersPerTenant ?? 200;
  const tenants: Tenant[] = Array.from({ length: tenantCount }, (_, t) => {
    const id = `t${t}-${options.runId}`;
    const last = t === tenantCount - 1 && tenantCount > 1;
    return { id, opsWebhook: last ? null : options.webhookUrl(`/ops/${id}`), timeZone: "Asia/Seoul" };
  });
  const users: User[] = [];
  for (const tenant of tenants) {
    for (let i = 0; i < usersPerTenant; i++) {
      const userId = `u${i}`;
      const profile = profileFor(i);
      const email = `${userId}.${tenant.id}@example.com`;
      const row = settingsFor(profile, email, options.webhookUrl(`/users/${tenant.id}/${userId}`));
      const newBrowser = options.newBrowser;
      const devices = newBrowser
        ? Array.from({ length: browsersOf(i) }, () => ({ id: randomUUID(), ...newBrowser() }))
        : [];
      users.push({ tenantId: tenant.id, userId, profile, row, devices });
    }
  }
  const byKey = new Map(users.map((user) => [`${user.tenantId}/${user.userId}`, user]));
  const tenantById = new Map(tenants.map((tenant) => [tenant.id, tenant]));
  return {
    runId: options.runId,
    tenants,
    users,
    settingsOf: (tenantId, userId) => {
      const user = byKey.get(`${tenantId}/${userId}`);
      // Devices are not settings: a user without a settings row can still have browsers.
      const devices = (user?.devices ?? []).map((device, n) => ({
        id: device.id,
        type: "webpush" as const,
        address: device.endpoint,
        label: `browser ${n + 1}`,
      }));
      return { ...(user?.row ?? defaultSettings()), devices };
    },
    opsWebhookOf: (tenantId) => tenantById.get(tenantId)?.opsWebhook ?? null,
    bounces: (address) => address.startsWith(BOUNCE_PREFIX),
  };
}

/** The SMTP stand-in's reject rule for this workload (recipient addresses are matched as sent). */
export const isBouncingAddress = (address: string) => address.replace(/^<|>$/g, "").startsWith(BOUNCE_PREFIX);
