import { dbTest as test, throwawaySchema } from "@fluxnotify/db/testing";
import { captureLogs, errorCodes, leaks, SENSITIVE } from "@fluxnotify/shared/testing";
import { describe, expect, inject } from "vitest";
import { sign, startApi } from "./api-harness";

// The caller's id is its address (user ids are free text), so every query a request runs
// binds it; PUT also binds the Slack webhook whose path is its credential.
const caller = { sub: SENSITIVE.email, tenant: "tenant-logs", roles: ["admin"] };
const settings = { email: SENSITIVE.email, slackWebhookUrl: SENSITIVE.webhookUrl, locale: "en" };
// A browser's subscription: its endpoint path and keys are what it takes to push to it.
const browser = {
  endpoint: "https://fcm.googleapis.com/fcm/send/cLogSecretEndpointPath:APA91bLogSecret",
  keys: {
    p256dh: "BM64AmhkbpmsFhDvkxSlBEBY1QO7DZjOI_f5coYiHNS3sGVPvSD-RpQPgHLoRij0Sk2RhAoQfTlmhBdECEBNGIU",
    auth: "bG9nLXNlY3JldC1hdXRoIQ",
  },
};
const pushSecrets = ["cLogSecretEndpointPath", "APA91bLogSecret", browser.keys.p256dh, browser.keys.auth];
const REQUESTS: Array<[method: string, path: string, body?: unknown]> = [
  ["PUT", "/api/v1/notifications/settings", settings],
  ["GET", "/api/v1/notifications/settings"],
  ["GET", `/api/v1/notifications?userId=${encodeURIComponent(SENSITIVE.email)}&limit=5`],
  ["GET", "/api/v1/dashboard/delivery?from=2026-02-01&to=2026-02-07"],
  ["GET", "/api/v1/dashboard/delivery/channels?from=2026-02-01&to=2026-02-07"],
  ["GET", "/api/v1/dashboard/delivery/failures?limit=5"],
  ["POST", "/api/v1/notifications/push-subscriptions", browser],
  ["GET", "/api/v1/notifications/push-subscriptions"],
  ["DELETE", "/api/v1/notifications/push-subscriptions/0b5a4a8e-2d51-4f1c-9d5e-6a1f3c2b7e90"],
];

describe("query-api logs on database errors", () => {
  test("every endpoint's database error is logged with its SQLSTATE and none of the request's secrets", async ({
    registry,
  }) => {
    const schema = await throwawaySchema(inject("databaseUrl")); // no tables: 42P01 everywhere
    const logs = captureLogs("query-api");
    const api = await startApi({ database: schema.client, logger: logs.logger, registry });
    const token = await sign(caller);
    try {
      for (const [method, path, body] of REQUESTS) {
        const response = await api.call(method, path, token, body);
        expect(response.status, `${method} ${path}`).toBe(500);
        expect(response.contentType).toContain("application/problem+json");
      }
    } finally {
      await api.close();
      await schema.drop();
    }
    const text = logs.lines.join("");
    expect(leaks(text, [token, ...pushSecrets])).toEqual([]);
    const failures = logs.entries().filter((entry) => entry.msg === "unhandled request error");
    expect(failures).toHaveLength(REQUESTS.length);
    for (const failure of failures) {
      expect(errorCodes(failure)).toContain("42P01");
      expect(JSON.stringify(failure.err)).toMatch(/relation \\"[a-z_]+\\" does not exist/);
    }
  });

  test("a push target the database refuses is not quoted back into the log", async ({ registry }) => {
    const schema = await throwawaySchema(inject("databaseUrl"), async (sql, name) => {
      await sql`create table ${sql(name)}.push_subscriptions (like public.push_subscriptions including all)`;
      await sql`alter table ${sql(name)}.push_subscriptions add constraint refuse_every_row check (false)`;
    });
    const logs = captureLogs("query-api");
    const api = await startApi({ database: schema.client, logger: logs.logger, registry });
    const token = await sign(caller);
    try {
      const response = await api.call("POST", "/api/v1/notifications/push-subscriptions", token, browser);
      expect(response.status).toBe(500);
    } finally {
      await api.close();
      await schema.drop();
    }
    expect(leaks(logs.lines.join(""), [token, ...pushSecrets])).toEqual([]);
    const [failure] = logs.entries().filter((entry) => entry.msg === "unhandled request error");
    expect(failure).toMatchObject({
      err: {
        type: "PostgresError",
        code: "23514",
        constraint_name: "refuse_every_row",
        detail: "Failing row contains (…).",
      },
    });
  });

  test("a row the database refuses is not quoted back into the log", async ({ registry }) => {
    // PostgreSQL's detail for a check violation lists the whole row: address and webhook.
    const schema = await throwawaySchema(inject("databaseUrl"), async (sql, name) => {
      await sql`create table ${sql(name)}.user_notification_settings
        (like public.user_notification_settings including all)`;
      await sql`alter table ${sql(name)}.user_notification_settings
        add constraint refuse_every_row check (false)`;
    });
    const logs = captureLogs("query-api");
    const api = await startApi({ database: schema.client, logger: logs.logger, registry });
    const token = await sign(caller);
    try {
      const response = await api.call("PUT", "/api/v1/notifications/settings", token, settings);
      expect(response.status).toBe(500);
    } finally {
      await api.close();
      await schema.drop();
    }
    expect(leaks(logs.lines.join(""), [token])).toEqual([]);
    const [failure] = logs.entries().filter((entry) => entry.msg === "unhandled request error");
    expect(failure).toMatchObject({
      err: {
        type: "DrizzleQueryError",
        cause: {
          type: "PostgresError",
          code: "23514",
          constraint_name: "refuse_every_row",
          detail: "Failing row contains (…).",
        },
      },
    });
  });
});
