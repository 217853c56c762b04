import { dbTest as test } from "@fluxnotify/db/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect } from "vitest";
import { responseValidator, sign, startApi, unsigned } from "./api-harness";
import { consumed, deliveryEvent, directProjector, uniqueTenant } from "./helpers";

type Caller =
  | "user"
  | "admin"
  | "otherTenantUser"
  | "otherTenantAdmin"
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

/** Every endpoint of §4 this service serves, and the status each caller must get. */
type Row = [name: string, method: string, path: string, docPath: string, body: unknown, statuses: number[]];
/** statuses: user, admin, another tenant's user, another tenant's admin (bad tokens are always 401). */
const rows: Row[] = [
  ["own history", "GET", "/api/v1/notifications", "/api/v1/notifications", undefined, [200, 200, 200, 200]],
  [
    "another user's history",
    "GET",
    "/api/v1/notifications?userId=u2",
    "/api/v1/notifications",
    undefined,
    [403, 200, 403, 200],
  ],
  [
    "settings",
    "GET",
    "/api/v1/notifications/settings",
    "/api/v1/notifications/settings",
    undefined,
    [200, 200, 200, 200],
  ],
  [
    "replace settings",
    "PUT",
    "/api/v1/notifications/settings",
    "/api/v1/notifications/settings",
    validSettings,
    [200, 200, 200, 200],
  ],
  [
    "daily stats",
    "GET",
    "/api/v1/dashboard/delivery",
    "/api/v1/dashboard/delivery",
    undefined,
    [403, 200, 403, 200],
  ],
  [
    "channel stats",
    "GET",
    "/api/v1/dashboard/delivery/channels?from=2026-02-01&to=2026-02-07",
    "/api/v1/dashboard/delivery/channels",
    undefined,
    [403, 200, 403, 200],
  ],
  [
    "recent failures",
    "GET",
    "/api/v1/dashboard/delivery/failures?limit=5",
    "/api/v1/dashboard/delivery/failures",
    undefined,
    [403, 200, 403, 200],
  ],
];
const endpoints = rows.map(
  ([name, method, path, docPath, body, [user, admin, otherTenantUser, otherTenantAdmin]]) => ({
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
      for (const endpoint of endpoints) {
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
});
