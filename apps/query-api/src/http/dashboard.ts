import type { Database } from "@fluxnotify/db";
import {
  channelDeliveryStats,
  dailyDeliveryStats,
  recentFailures,
  tenantTimeZones,
} from "@fluxnotify/db/queries/read-model";
import { CHANNELS } from "@fluxnotify/shared/contracts";
import {
  calendarDate,
  defineRoute,
  type TenantScope,
  tenantParam,
  tenantScope,
  whenValid,
} from "@fluxnotify/shared/http";
import { z } from "zod";
import { addDays, dateInZone, isIanaTimeZone } from "../time-zone";

const MAX_RANGE_DAYS = 366;

const tenantQuery = { tenant: tenantParam.optional() };

const rangeQuery = z
  .object({
    from: calendarDate.optional().describe("first day (YYYY-MM-DD, tenant's zone); default to − 6 days"),
    to: calendarDate.optional().describe("last day, inclusive; default today in the tenant's zone"),
    ...tenantQuery,
  })
  .refine((range) => !range.from || !range.to || range.from <= range.to, {
    path: ["from"],
    message: "must not be after to",
    ...whenValid,
  })
  .refine(
    (range) =>
      !range.from || !range.to || range.from > range.to || addDays(range.from, MAX_RANGE_DAYS) > range.to,
    { path: ["to"], message: `range must not exceed ${MAX_RANGE_DAYS} days`, ...whenValid },
  );

const counts = {
  sentCount: z.number().int(),
  failedCount: z.number().int(),
  skippedCount: z.number().int(),
  successRate: z.number().min(0).max(1).nullable().describe("sent / (sent + failed); null without sends"),
};
const rangeInfo = { from: z.iso.date(), to: z.iso.date(), timeZone: z.string() };
const dailyResponse = z.object({
  ...rangeInfo,
  days: z.array(z.object({ date: z.iso.date(), channel: z.enum(CHANNELS), ...counts })),
});
const channelsResponse = z.object({
  ...rangeInfo,
  channels: z.array(z.object({ channel: z.enum(CHANNELS), ...counts })),
});
const failuresResponse = z.object({
  items: z.array(
    z.object({
      tenantId: z.string(),
      notificationId: z.string(),
      eventId: z.string(),
      eventType: z.string(),
      userId: z.string(),
      channel: z.enum(CHANNELS),
      reasonCode: z.string().nullable(),
      errorMessage: z.string().nullable(),
      attempts: z.number().int().nullable(),
      failedAt: z.iso.datetime(),
      createdAt: z.iso.datetime(),
    }),
  ),
});

/**
 * Resolves the range in the tenant's zone (every tenant: the default zone); an open end is
 * filled from the other or today.
 */
async function resolveRange(
  db: Database,
  scope: TenantScope,
  query: { from?: string | undefined; to?: string | undefined },
  fallbackZone: string,
) {
  const { tenantId } = scope;
  const configured =
    tenantId === undefined ? undefined : (await tenantTimeZones(db, [tenantId])).get(tenantId);
  const timeZone = configured && isIanaTimeZone(configured) ? configured : fallbackZone;
  const to = query.to ?? (query.from ? addDays(query.from, 6) : dateInZone(new Date(), timeZone));
  const from = query.from ?? addDays(to, -6);
  return { from, to, timeZone };
}

type ChannelName = (typeof CHANNELS)[number];

/**
 * Admins see their own tenant's figures. Operators see every tenant's unless `tenant` names
 * one: failures of all tenants (each item names its tenant), stats summed per day and
 * channel over all tenants (each tenant's days cut in its own zone; an open range is
 * resolved in the default zone).
 */
export const dashboardRoutes = (db: Database, defaultTimeZone: string) => [
  defineRoute({
    method: "get",
    path: "/api/v1/dashboard/delivery",
    summary: "Daily delivery stats per channel (default: the last 7 days in the tenant's zone)",
    tags: ["dashboard"],
    auth: "admin",
    query: rangeQuery,
    responses: { 200: { description: "Daily stats", schema: dailyResponse } },
    handler: async ({ query, principal }) => {
      const scope = tenantScope(principal, query.tenant);
      const range = await resolveRange(db, scope, query, defaultTimeZone);
      const days = await dailyDeliveryStats(db, scope.tenantId, range.from, range.to);
      const body: z.infer<typeof dailyResponse> = {
        ...range,
        days: days.map((d) => ({ ...d, channel: d.channel as ChannelName })),
      };
      return { status: 200, body };
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/v1/dashboard/delivery/channels",
    summary: "Success rate per channel over a date range",
    tags: ["dashboard"],
    auth: "admin",
    query: rangeQuery,
    responses: { 200: { description: "Per-channel totals", schema: channelsResponse } },
    handler: async ({ query, principal }) => {
      const scope = tenantScope(principal, query.tenant);
      const range = await resolveRange(db, scope, query, defaultTimeZone);
      const channels = await channelDeliveryStats(db, scope.tenantId, range.from, range.to);
      const body: z.infer<typeof channelsResponse> = {
        ...range,
        channels: channels.map((c) => ({ ...c, channel: c.channel as ChannelName })),
      };
      return { status: 200, body };
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/v1/dashboard/delivery/failures",
    summary: "Most recent failed notifications with their error messages",
    tags: ["dashboard"],
    auth: "admin",
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), ...tenantQuery }),
    responses: { 200: { description: "Recent failures, newest first", schema: failuresResponse } },
    handler: async ({ query, principal }) => {
      const { tenantId } = tenantScope(principal, query.tenant);
      const rows = await recentFailures(db, tenantId, query.limit);
      const body: z.infer<typeof failuresResponse> = {
        items: rows.map((r) => ({
          ...r,
          channel: r.channel as ChannelName,
          failedAt: r.failedAt,
          createdAt: r.createdAt,
        })),
      };
      return { status: 200, body };
    },
  }),
];
