import { randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { responseValidator, sign, startApi, unsigned } from "./api-harness";
import { consumed, deliveryEvent, directProjector, uniqueTenant } from "./helpers";

type Caller =
  | "user"
  | "admin"
  | "otherTenantUser"
  | "otherTenantAdmin"
  | "operator"
  | "none"
  | "expired"
  | "badSignature"
  | "algNone";

const validSettings = {
  email: "kim@example.com",
  locale: "en",
  timeZone: "Europe/Berlin",
  channels: { SLACK: false },
};

/**
 * One browser, registered by each caller in turn: new in a tenant (201), then again by the
 * tenant's next caller, to whom it moves (200). The operator's tenant is its own.
 */
const browser = {
  endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
  keys: {
    p256dh: "BM64AmhkbpmsFhDvkxSlBEBY1QO7DZjOI_f5coYiHNS3sGVPvSD-RpQPgHLoRij0Sk2RhAoQfTlmhBdECEBNGIU",
    auth: "AAAAAAAAAAAAAAAAAAAAAA",
  },
};

/** statuses: user, admin, another tenant's user, another tenant's admin, operator (bad tokens are always 401). */
type Statuses = [number, number, number, number, number];
type Row = [name: string, method: string, path: string, docPath: string, body: unknown, statuses: Statuses];
/** Every endpoint of §4 this service serves, and the status each caller must get. */
const rows = (tenant: string): Row[] => [
  [
    "own history",
    "GET",
    "/api/v1/notifications",
    "/api/v1/notifications",
    undefined,
    [200, 200, 200, 200, 200],
  ],
  [
    "another user's history",
    "GET",
    "/api/v1/notifications?userId=u2",
    "/api/v1/notifications",
    undefined,
    [403, 200, 403, 200, 403],
  ],
  [
    "settings",
    "GET",
    "/api/v1/notifications/settings",
    "/api/v1/notifications/settings",
    undefined,
    [200, 200, 200, 200, 200],
  ],
  [
    "replace settings",
    "PUT",
    "/api/v1/notifications/settings",
    "/api/v1/notifications/settings",
    validSettings,
    [200, 200, 200, 200, 200],
  ],
  [
    "daily stats",
    "GET",
    "/api/v1/dashboard/delivery",
    "/api/v1/dashboard/delivery",
    undefined,
    [403, 200, 403, 200, 200],
  ],
  [
    "daily stats of the tenant, named",
    "GET",
    `/api/v1/dashboard/delivery?tenant=${tenant}`,
    "/api/v1/dashboard/delivery",
    undefined,
    [403, 200, 403, 403, 200],
  ],
  [
    "channel stats",
    "GET",
    "/api/v1/dashboard/delivery/channels?from=2026-02-01&to=2026-02-07",
    "/api/v1/dashboard/delivery/channels",
    undefined,
    [403, 200, 403, 200, 200],
  ],
  [
    "channel stats of the tenant, named",
    "GET",
    `/api/v1/dashboard/delivery/channels?from=2026-02-01&to=2026-02-07&tenant=${tenant}`,
    "/api/v1/dashboard/delivery/channels",
    undefined,
    [403, 200, 403, 403, 200],
  ],
  [
    "recent failures",
    "GET",
    "/api/v1/dashboard/delivery/failures?limit=5",
    "/api/v1/dashboard/delivery/failures",
    undefined,
    [403, 200, 403, 200, 200],
  ],
  [
    "recent failures of the tenant, named",
    "GET",
    `/api/v1/dashboard/delivery/failures?limit=5&tenant=${tenant}`,
    "/api/v1/dashboard/delivery/failures",
    undefined,
    [403, 200, 403, 403, 200],
  ],
  [
    "delivery search",
    "GET",
    "/api/v1/dashboard/deliveries?status=FAILED&limit=5",
    "/api/v1/dashboard/deliveries",
    undefined,
    [403, 200, 403, 200, 200],
  ],
  [
    "delivery search of the tenant, named",
    "GET",
    `/api/v1/dashboard/deliveries?tenant=${tenant}`,
    "/api/v1/dashboard/deliveries",
    undefined,
    [403, 200, 403, 403, 200],
  ],
  [
    "a notification's timeline",
    "GET",
    `/api/v1/dashboard/deliveries/${tenant}-2`,
    "/api/v1/dashboard/deliveries/{notificationId}",
    undefined,
    [403, 200, 403, 404, 200],
  ],
  [
    "a notification's timeline, its tenant named",
    "GET",
    `/api/v1/dashboard/deliveries/${tenant}-2?tenant=${tenant}`,
    "/api/v1/dashboard/deliveries/{notificationId}",
    undefined,
    [403, 200, 403, 403, 200],
  ],
  [
    "pipeline (platform-wide)",
    "GET",
    "/api/v1/dashboard/pipeline",
    "/api/v1/dashboard/pipeline",
    undefined,
    [403, 200, 403, 200, 200],
  ],
  [
    "register a push target",
    "POST",
    "/api/v1/notifications/push-subscriptions",
    "/api/v1/notifications/push-subscriptions",
    browser,
    [201, 200, 201, 200, 201],
  ],
  [
    "own push targets",
    "GET",
    "/api/v1/notifications/push-subscriptions",
    "/api/v1/notifications/push-subscriptions",
    undefined,
    [200, 200, 200, 200, 200],
  ],
  [
    "delete a push target that is nobody's",
    "DELETE",
    `/api/v1/notifications/push-subscriptions/${randomUUID()}`,
    "/api/v1/notifications/push-subscriptions/{id}",
    undefined,
    [404, 404, 404, 404, 404],
  ],
];
const endpoints = (tenant: string) =>
  rows(tenant).map(
    ([name, method, path, docPath, body, [user, admin, otherTenantUser, otherTenantAdmin, operator]]) => ({
      name,
      method,
      path,
      docPath,
      body,
      expect: {
        user,
        admin,
        otherTenantUser,
        otherTenantAdmin,
        operator,
        none: 401,
        expired: 401,
        badSignature: 401,
        algNone: 401,
      } as Record<Caller, number>,
    }),
  );

describe("authorisation matrix and OpenAPI", () => {
  test("every endpoint answers every caller correctly, with documented shapes", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("a");
    const otherTenant = uniqueTenant("b");
    const project = directProjector(database.db, logger, registry);
    await project([
      consumed(
        deliveryEvent({ notificationId: `${tenant}-1`, tenantId: tenant, userId: "u1", status: "SENT" }),
      ),
      consumed(
        deliveryEvent({
          notificationId: `${tenant}-2`,
          tenantId: tenant,
          userId: "u2",
          status: "FAILED",
          errorMessage: "boom",
        }),
      ),
    ]);
    const tokens: Record<Caller, string | undefined> = {
      user: await sign({ sub: "u1", tenant, roles: [] }),
      admin: await sign({ sub: "ops", tenant, roles: ["admin"] }),
      otherTenantUser: await sign({ sub: "u1", tenant: otherTenant, roles: [] }),
      otherTenantAdmin: await sign({ sub: "ops", tenant: otherTenant, roles: ["admin"] }),
      // The platform's staff: its own tenant claim narrows nothing.
      operator: await sign({ sub: "staff", tenant: uniqueTenant("ops"), roles: ["operator"] }),
      none: undefined,
      expired: await sign({ sub: "u1", tenant, roles: ["admin"] }, { expiresIn: "-1m" }),
      badSignature: await sign(
        { sub: "u1", tenant, roles: ["admin"] },
        { key: "another-secret-another-secret-another!!" },
      ),
      algNone: unsigned({ sub: "u1", tenant, roles: ["admin"] }),
    };
    const api = await startApi({ database, logger, registry });
    try {
      const doc = (await api.call("GET", "/openapi.json")).body as Parameters<typeof responseValidator>[0];
      const validation = await new Validator().validate(doc as unknown as Record<string, unknown>);
      expect(validation.errors).toBeUndefined();
      expect(validation.valid).toBe(true);
      const check = responseValidator(doc);

      const outcomes: string[] = [];
      const wanted: string[] = [];
      for (const endpoint of endpoints(tenant)) {
        for (const caller of Object.keys(endpoint.expect) as Caller[]) {
          const response = await api.call(endpoint.method, endpoint.path, tokens[caller], endpoint.body);
          outcomes.push(`${endpoint.name} as ${caller}: ${response.status}`);
          wanted.push(`${endpoint.name} as ${caller}: ${endpoint.expect[caller]}`);
          if (response.status >= 400) expect(response.contentType).toContain("application/problem+json");
          const method = endpoint.method.toLowerCase();
          expect(
            check(endpoint.docPath, method, response.status, response.contentType, response.body),
          ).toEqual([]);
        }
      }
      expect(outcomes).toEqual(wanted);

      // Another tenant's callers are answered, but see nothing of this tenant.
      const foreign = await api.call("GET", "/api/v1/notifications", tokens.otherTenantUser);
      expect(foreign.body?.items).toEqual([]);
      const foreignFailures = await api.call(
        "GET",
        "/api/v1/dashboard/delivery/failures",
        tokens.otherTenantAdmin,
      );
      expect(foreignFailures.body?.items).toEqual([]);
      const foreignSearch = await api.call("GET", "/api/v1/dashboard/deliveries", tokens.otherTenantAdmin);
      expect(foreignSearch.body?.items).toEqual([]);
      const search = await api.call("GET", "/api/v1/dashboard/deliveries", tokens.admin);
      expect(
        ((search.body?.items ?? []) as Array<{ notificationId: string }>).map((i) => i.notificationId),
      ).toEqual([`${tenant}-2`, `${tenant}-1`]);
      const own = await api.call("GET", "/api/v1/notifications", tokens.user);
      expect(
        ((own.body?.items ?? []) as Array<{ notificationId: string }>).map((i) => i.notificationId),
      ).toEqual([`${tenant}-1`]);
      const failures = await api.call("GET", "/api/v1/dashboard/delivery/failures", tokens.admin);
      expect(failures.body?.items).toMatchObject([
        { notificationId: `${tenant}-2`, errorMessage: "boom", userId: "u2" },
      ]);

      const ready = await api.call("GET", "/readyz");
      expect(ready.status).toBe(200);
    } finally {
      await api.close();
    }
  });

  test("dashboards: an operator sees every tenant's figures unless ?tenant= names one; an admin only its own", async ({
    database,
    logger,
    registry,
  }) => {
    const [a, b] = [uniqueTenant("a"), uniqueTenant("b")];
    // A day no other test writes, so the platform-wide sum is exactly these two tenants'.
    const year = 2100 + Math.floor(Math.random() * 800);
    const day = `${year}-03-0${1 + Math.floor(Math.random() * 9)}`;
    await database.db.execute(sql`
      insert into delivery_stats (tenant_id, date, channel, sent_count, failed_count, skipped_count) values
        (${a}, ${day}, 'EMAIL', 3, 1, 0), (${b}, ${day}, 'EMAIL', 5, 1, 2), (${b}, ${day}, 'SLACK', 1, 0, 0)`);
    const project = directProjector(database.db, logger, registry);
    const failedAt = new Date(Date.now() + 60_000).toISOString(); // newest failures of the whole table
    await project(
      [a, b].map((tenantId) =>
        consumed(
          deliveryEvent({ notificationId: `${tenantId}-f`, tenantId, status: "FAILED", at: failedAt }),
        ),
      ),
    );
    const operator = await sign({ sub: "staff", tenant: uniqueTenant("ops"), roles: ["operator"] });
    const adminA = await sign({ sub: "ops", tenant: a, roles: ["admin"] });
    const api = await startApi({ database, logger, registry });
    const emailOf = async (token: string, query = "") => {
      const response = await api.call(
        "GET",
        `/api/v1/dashboard/delivery?from=${day}&to=${day}${query}`,
        token,
      );
      if (response.status !== 200) return response.status;
      return ((response.body?.days ?? []) as Array<{ channel: string }>).find((d) => d.channel === "EMAIL");
    };
    try {
      expect(await emailOf(operator)).toMatchObject({
        sentCount: 8,
        failedCount: 2,
        skippedCount: 2,
        successRate: 0.8,
      });
      expect(await emailOf(operator, `&tenant=${b}`)).toMatchObject({
        sentCount: 5,
        failedCount: 1,
        skippedCount: 2,
      });
      expect(await emailOf(adminA)).toMatchObject({ sentCount: 3, failedCount: 1, successRate: 0.75 });
      expect(await emailOf(adminA, `&tenant=${a}`)).toMatchObject({ sentCount: 3 });
      expect(await emailOf(adminA, `&tenant=${b}`)).toBe(403);

      const channels = await api.call(
        "GET",
        `/api/v1/dashboard/delivery/channels?from=${day}&to=${day}`,
        operator,
      );
      expect(channels.body?.channels).toEqual([
        { channel: "EMAIL", sentCount: 8, failedCount: 2, skippedCount: 2, successRate: 0.8 },
        { channel: "SLACK", sentCount: 1, failedCount: 0, skippedCount: 0, successRate: 1 },
      ]);

      const failures = async (token: string, query = "") =>
        ((await api.call("GET", `/api/v1/dashboard/delivery/failures?limit=100${query}`, token)).body
          ?.items ?? []) as Array<{ tenantId: string; notificationId: string }>;
      const ours = (items: Array<{ tenantId: string }>) =>
        items.filter((item) => item.tenantId === a || item.tenantId === b).map((item) => item.tenantId);
      expect(ours(await failures(operator)).sort()).toEqual([a, b].sort());
      expect(ours(await failures(operator, `&tenant=${b}`))).toEqual([b]);
      expect((await failures(adminA)).map((item) => item.tenantId)).toEqual([a]);
    } finally {
      await api.close();
    }
  });
});
