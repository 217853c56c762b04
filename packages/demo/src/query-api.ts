import { CHANNELS, DELIVERY_STATUSES } from "@fluxnotify/shared/contracts";
import { z } from "zod";
import { DemoError } from "./demo-error";

/** The history fields the demo reads (the OpenAPI document at /openapi.json has them all). */
const historyPage = z.object({
  items: z.array(
    z.object({
      notificationId: z.string(),
      eventId: z.string(),
      eventType: z.string(),
      channel: z.enum(CHANNELS),
      status: z.enum(DELIVERY_STATUSES),
      recipient: z.string().nullable(),
      reasonCode: z.string().nullable(),
      errorMessage: z.string().nullable(),
    }),
  ),
});
export type HistoryItem = z.infer<typeof historyPage>["items"][number];

export interface DemoSettings {
  email: string;
  slackWebhookUrl: string | undefined;
}

const problemOf = (text: string) => {
  try {
    const problem = JSON.parse(text) as {
      detail?: string;
      errors?: Array<{ field?: string; message?: string }>;
    };
    const fields = (problem.errors ?? []).map((error) => `${error.field}: ${error.message}`);
    return problem.detail ?? (fields.join("; ") || text);
  } catch {
    return text;
  }
};

/** ECONNREFUSED rather than fetch's "fetch failed". */
const reason = (error: unknown) => {
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};

/** The calls the demo makes, as the demo user (its token), with errors a newcomer can act on. */
export function queryApi(base: string, token: string) {
  const unreachable = (error: unknown) =>
    new DemoError(
      `query-api not reachable at ${base} (${reason(error)}): is bin/dev running? (or set QUERY_API_URL)`,
    );

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw unreachable(error);
    }
    const text = await response.text();
    if (response.status === 401)
      throw new DemoError(
        `query-api refused the demo's token (401: ${problemOf(text)}): ` +
          "a token the demo signs needs the AUTH_JWT_SECRET query-api runs with (neither set: the dev-only secret)",
      );
    if (!response.ok) throw new DemoError(`${method} ${path}: ${response.status} ${problemOf(text)}`);
    return text ? JSON.parse(text) : undefined;
  }

  return {
    /** Answers once query-api is up with its database and broker (its /readyz). */
    async ready(): Promise<void> {
      let response: Response;
      try {
        response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) });
      } catch (error) {
        throw unreachable(error);
      }
      if (!response.ok)
        throw new DemoError(
          `query-api at ${base} is not ready (${response.status} ${await response.text()}): wait for bin/dev's ready table`,
        );
    },

    /**
     * Saves the user's settings as a product's settings page would (PUT replaces them all:
     * every channel on, so the story reaches each; the same PUT again changes nothing).
     */
    async saveSettings(settings: DemoSettings): Promise<void> {
      try {
        await call("PUT", "/api/v1/notifications/settings", {
          email: settings.email,
          slackWebhookUrl: settings.slackWebhookUrl ?? null,
          locale: "ko",
          timeZone: "Asia/Seoul",
        });
      } catch (error) {
        if (error instanceof DemoError && /slackWebhookUrl/.test(error.message))
          throw new DemoError(
            `${error.message}\n  query-api's SLACK_ALLOWED_HOSTS must include ${settings.slackWebhookUrl ? new URL(settings.slackWebhookUrl).host : "the webhook's host"} ` +
              "(bin/dev allows its Slack stand-in, 127.0.0.1:4010), or set DEMO_SLACK_WEBHOOK_URL to an allowed webhook",
          );
        throw error;
      }
    },

    /**
     * Registers a browser's PushSubscription for the user, as a site's page does after
     * `PushManager.subscribe()`; the same endpoint again is the same device (200, same id).
     */
    async registerBrowser(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) {
      try {
        await call("POST", "/api/v1/notifications/push-subscriptions", {
          ...subscription,
          label: "demo browser",
        });
      } catch (error) {
        if (error instanceof DemoError && /endpoint/.test(error.message))
          throw new DemoError(
            `${error.message}\n  query-api's PUSH_ALLOWED_HOSTS must include ${new URL(subscription.endpoint).host} ` +
              "(bin/dev allows its push stand-in, 127.0.0.1:4020), or set DEMO_PUSH_BROWSER_URL=none",
          );
        throw error;
      }
    },

    /** The user's latest notifications, newest first (the story's are among the first few). */
    async history(): Promise<HistoryItem[]> {
      return historyPage.parse(await call("GET", "/api/v1/notifications?limit=100")).items;
    },
  };
}

export type QueryApi = ReturnType<typeof queryApi>;
