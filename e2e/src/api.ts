import { signToken, type TokenRole } from "@fluxnotify/shared/dev-token";
import { DEV_ONLY_JWT_SECRET } from "@fluxnotify/shared/env";
import { DLQ_ADMIN, QUERY_API } from "./resources";

/**
 * An HS256 token as an identity provider would issue it, from the same signer as bin/token.
 * The dev-only secret, not the shell's AUTH_JWT_SECRET: the supervisor starts the apps
 * without the caller's AUTH_* variables, so they verify with the dev-only secret.
 */
export function tokenFor(tenant: string, userId: string, roles: TokenRole[] = []): Promise<string> {
  return signToken(DEV_ONLY_JWT_SECRET, { userId, tenantId: tenant, roles });
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

async function call<T>(method: string, url: string, token: string, body?: unknown): Promise<ApiResponse<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface SettingsInput {
  email?: string | null;
  locale?: "ko" | "en";
  timeZone?: string;
  channels?: Partial<Record<"EMAIL" | "SLACK" | "IN_APP" | "PUSH", boolean>>;
  eventTypes?: Record<string, Partial<Record<"EMAIL" | "SLACK" | "IN_APP" | "PUSH", boolean>>>;
}

export interface HistoryItem {
  notificationId: string;
  eventId: string;
  eventType: string;
  channel: "EMAIL" | "SLACK" | "IN_APP" | "PUSH";
  status: "PENDING" | "SENT" | "FAILED" | "SKIPPED";
  recipient: string | null;
  reasonCode: string | null;
  errorMessage: string | null;
  sentAt: string | null;
}

export interface ChannelTotals {
  channel: string;
  sentCount: number;
  failedCount: number;
  skippedCount: number;
  successRate: number | null;
}

export interface DlqItem {
  id: string;
  domain: string;
  channel: string | null;
  eventId: string | null;
  notificationId: string | null;
  errorCode: string | null;
  errorMessage: string;
  status: "PENDING" | "REPLAYED" | "RESOLVED" | "DISCARDED";
  replayCount: number;
  headers: Record<string, string>;
}

export interface TimelineEntry {
  status: HistoryItem["status"];
  at: string;
  attempts: number | null;
  reasonCode: string | null;
  errorMessage: string | null;
  latencyMs: number | null;
}

/** The calls a user and an operator make, each with their own token. */
export function apiFor(tenant: string) {
  const user = async (userId: string) => tokenFor(tenant, userId);
  const admin = () => tokenFor(tenant, "e2e-operator", ["admin"]);
  return {
    async putSettings(userId: string, settings: SettingsInput) {
      const response = await call<unknown>(
        "PUT",
        `${QUERY_API}/api/v1/notifications/settings`,
        await user(userId),
        settings,
      );
      if (response.status !== 200)
        throw new Error(`PUT settings ${userId}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    /** Registers a browser's PushSubscription for the user (CONTRACT §4); returns its id. */
    async registerBrowser(
      userId: string,
      subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
      label: string,
    ): Promise<string> {
      const response = await call<{ id: string }>(
        "POST",
        `${QUERY_API}/api/v1/notifications/push-subscriptions`,
        await user(userId),
        { ...subscription, label },
      );
      if (response.status !== 201)
        throw new Error(`register browser ${userId}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.id;
    },
    /** The user's whole history (every page), newest first. */
    async history(userId: string): Promise<HistoryItem[]> {
      const token = await user(userId);
      const items: HistoryItem[] = [];
      let cursor: string | null = null;
      do {
        const query: URLSearchParams = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
        const page: ApiResponse<{ items: HistoryItem[]; nextCursor: string | null }> = await call<{
          items: HistoryItem[];
          nextCursor: string | null;
        }>("GET", `${QUERY_API}/api/v1/notifications?${query}`, token);
        if (page.status !== 200) throw new Error(`history ${userId}: ${page.status}`);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return items;
    },
    async channelTotals(): Promise<ChannelTotals[]> {
      const response = await call<{ channels: ChannelTotals[] }>(
        "GET",
        `${QUERY_API}/api/v1/dashboard/delivery/channels`,
        await admin(),
      );
      if (response.status !== 200) throw new Error(`dashboard: ${response.status}`);
      return response.body.channels;
    },
    async dailyStats() {
      return call<{ days: Array<ChannelTotals & { date: string }>; timeZone: string }>(
        "GET",
        `${QUERY_API}/api/v1/dashboard/delivery`,
        await admin(),
      );
    },
    async failures() {
      return call<{ items: Array<{ eventId: string; channel: string; errorMessage: string | null }> }>(
        "GET",
        `${QUERY_API}/api/v1/dashboard/delivery/failures?limit=100`,
        await admin(),
      );
    },
    /** Dead letters of one event (an admin sees its own tenant's only, CONTRACT §4). */
    async deadLetters(eventId: string): Promise<DlqItem[]> {
      const response = await call<{ items: DlqItem[] }>(
        "GET",
        `${DLQ_ADMIN}/api/v1/admin/dlq?${new URLSearchParams({ eventId })}`,
        await admin(),
      );
      if (response.status !== 200) throw new Error(`dlq list: ${response.status}`);
      return response.body.items;
    },
    /** A notification and its timeline, as the operations console shows them. */
    async timeline(notificationId: string) {
      const response = await call<{ notification: HistoryItem; timeline: TimelineEntry[] }>(
        "GET",
        `${QUERY_API}/api/v1/dashboard/deliveries/${encodeURIComponent(notificationId)}`,
        await admin(),
      );
      if (response.status !== 200) throw new Error(`timeline ${notificationId}: ${response.status}`);
      return response.body;
    },
    async retryDeadLetter(id: string) {
      return call<DlqItem>("POST", `${DLQ_ADMIN}/api/v1/admin/dlq/${id}/retry`, await admin());
    },
    raw: call,
    adminToken: admin,
    userToken: user,
  };
}
