import { dbTest as test } from "@fluxnotify/db/testing";
import { settingsCacheKey } from "@fluxnotify/shared/contracts";
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { fieldsOf, responseValidator, sign, startApi } from "./api-harness";
import { consumed, deliveryEvent, directProjector, uniqueTenant } from "./helpers";

type Page = {
  items: Array<{ notificationId: string; channel: string; status: string }>;
  nextCursor: string | null;
};

describe("query API behaviour", () => {
  test("history pages are newest first and stable under concurrent inserts", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant();
    const project = directProjector(database.db, logger, registry);
    // 25 notifications; pairs share a created_at so the id tie-breaker matters.
    const events = Array.from({ length: 25 }, (_, n) =>
      deliveryEvent({
        notificationId: `${tenant}-${String(n).padStart(2, "0")}`,
        tenantId: tenant,
        userId: "u1",
        channel: n % 2 === 0 ? "EMAIL" : "IN_APP",
        status: n % 5 === 0 ? "FAILED" : "SENT",
        eventType: n % 3 === 0 ? "com.fluxpay.order.created" : "com.fluxpay.payment.approved",
        createdAt: new Date(Date.UTC(2026, 1, 4, 10, 0, Math.floor(n / 2))).toISOString(),
      }),
    );
    for (const event of events) await project([consumed(event)]);
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const path = `/api/v1/notifications?limit=10${cursor ? `&cursor=${cursor}` : ""}`;
        const response = await api.call("GET", path, token);
        expect(response.status).toBe(200);
        const page = response.body as unknown as Page;
        seen.push(...page.items.map((i) => i.notificationId));
        cursor = page.nextCursor;
        if (pages++ === 0) {
          // A notification created meanwhile sorts before the cursor: later pages are unaffected.
          await project([
            consumed(
              deliveryEvent({
                notificationId: `${tenant}-new`,
                tenantId: tenant,
                userId: "u1",
                createdAt: "2026-02-05T00:00:00Z",
              }),
            ),
          ]);
        }
      } while (cursor);
      expect(pages).toBe(3);
      // Newest first; within one created_at the later-inserted (higher id) row first.
      const expected = events.map((e) => e.notificationId).reverse();
      expect(seen).toEqual(expected);

      const filtered = (
        await api.call(
          "GET",
          "/api/v1/notifications?channel=EMAIL&status=FAILED&eventType=order.created&limit=100",
          token,
        )
      ).body as unknown as Page;
      const want = events
        .filter((_e, n) => n % 2 === 0 && n % 5 === 0 && n % 3 === 0)
        .map((e) => e.notificationId)
        .reverse();
      expect(filtered.items.map((i) => i.notificationId)).toEqual(want);

      const bad = await api.call("GET", "/api/v1/notifications?cursor=bm9wZQ&limit=500&status=LOST", token);
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad.body).sort()).toEqual(["query.cursor", "query.limit", "query.status"]);
    } finally {
      await api.close();
    }
  });

  test("rows of one created_at are ordered by id as a number, across a change in its digit count", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant();
    // Explicit ids far above the sequence: 12 and 13 digits, which sort the other way as text.
    const base = 900_000_000_000n + BigInt(Math.floor(Math.random() * 1_000_000)) * 1_000n;
    const ids = [999_999_999_999n - (base % 1_000n), 1_000_000_000_000n + base];
    for (const [index, id] of ids.entries()) {
      await database.db.execute(sql`
        insert into notification_log (id, notification_id, tenant_id, event_id, event_type, user_id, channel,
          status, recipient, status_at, created_at, updated_at)
        values (${id}::int8, ${`${tenant}-${index}`}, ${tenant}, ${`e-${tenant}-${index}`},
          'com.fluxpay.order.created', 'u1', 'IN_APP', 'SENT', null, now(), '2026-02-04T10:00:00Z', now())`);
    }
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const first = (await api.call("GET", "/api/v1/notifications?limit=1", token)).body as unknown as Page;
      const second = (
        await api.call("GET", `/api/v1/notifications?limit=1&cursor=${first.nextCursor}`, token)
      ).body as unknown as Page;
      // Newest first: the higher id, then the lower, and the cursor continues exactly there.
      expect([...first.items, ...second.items].map((item) => item.notificationId)).toEqual([
        `${tenant}-1`,
        `${tenant}-0`,
      ]);
    } finally {
      await api.close();
      await database.db.execute(sql`delete from notification_log where tenant_id = ${tenant}`);
    }
  });

  test("settings: defaults, validation naming the field, storage and cache invalidation", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant();
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const defaults = await api.call("GET", "/api/v1/notifications/settings", token);
      expect(defaults.body).toEqual({
        email: null,
        locale: "ko",
        timeZone: "Asia/Seoul",
        slackWebhookUrl: null,
        channels: {},
        eventTypes: {},
        updatedAt: null,
      });

      const invalid = await api.call("PUT", "/api/v1/notifications/settings", token, {
        email: "not-an-email",
        locale: "fr",
        timeZone: "Mars/Olympus_Mons",
        slackWebhookUrl: "https://evil.example.com/services/x",
        channels: { FAX: true },
        eventTypes: { "payment.failed": { SLACK: "yes" }, "bogus.type": {} },
        colour: "blue",
      });
      expect(invalid.status).toBe(400);
      const errors = invalid.body?.errors as Array<{ field: string; message: string }>;
      expect(errors.map((e) => e.field).sort()).toEqual([
        "body",
        "body.channels",
        "body.email",
        "body.eventTypes",
        "body.eventTypes.payment.failed.SLACK",
        "body.locale",
        "body.slackWebhookUrl",
        "body.timeZone",
      ]);
      expect(errors.find((e) => e.field === "body.channels")?.message).toContain("FAX");
      expect(errors.find((e) => e.field === "body.eventTypes")?.message).toContain("bogus.type");
      expect(errors.find((e) => e.field === "body")?.message).toContain("colour");
      const http = await api.call("PUT", "/api/v1/notifications/settings", token, {
        slackWebhookUrl: "http://hooks.slack.com/x",
      });
      expect(fieldsOf(http.body)).toEqual(["body.slackWebhookUrl"]);

      await api.redis.set(settingsCacheKey(tenant, "u1"), JSON.stringify({ stale: true }));
      const settings = {
        email: "kim@example.com",
        locale: "en",
        timeZone: "America/New_York",
        slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/abc",
        channels: { EMAIL: false },
        eventTypes: { "payment.failed": { EMAIL: true } },
      };
      const saved = await api.call("PUT", "/api/v1/notifications/settings", token, settings);
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject(settings);
      expect(await api.redis.exists(settingsCacheKey(tenant, "u1"))).toBe(0);
      expect((await api.call("GET", "/api/v1/notifications/settings", token)).body).toEqual(saved.body);
      const rows = await database.db.execute(
        sql`select locale, channels from user_notification_settings where tenant_id = ${tenant}`,
      );
      expect([...rows]).toEqual([{ locale: "en", channels: { EMAIL: false } }]);

      const huge = await api.call("PUT", "/api/v1/notifications/settings", token, {
        email: `${"x".repeat(70_000)}@example.com`,
      });
      expect(huge.status).toBe(413);
    } finally {
      await api.close();
    }
  });

  test("dashboard: date ranges, per-channel rates, and the schema check catches a wrong body", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant();
    await database.db.execute(sql`
      insert into delivery_stats (tenant_id, date, channel, sent_count, failed_count, skipped_count) values
        (${tenant}, '2026-02-01', 'EMAIL', 9, 1, 0), (${tenant}, '2026-02-02', 'EMAIL', 3, 0, 2),
        (${tenant}, '2026-02-02', 'SLACK', 0, 0, 4), (${tenant}, '2026-02-09', 'EMAIL', 100, 0, 0)`);
    const admin = await sign({ sub: "ops", tenant, roles: ["admin"] });
    const api = await startApi({ database, logger, registry });
    try {
      const daily = await api.call("GET", "/api/v1/dashboard/delivery?from=2026-02-01&to=2026-02-07", admin);
      expect(daily.body).toEqual({
        from: "2026-02-01",
        to: "2026-02-07",
        timeZone: "Asia/Seoul",
        days: [
          {
            date: "2026-02-01",
            channel: "EMAIL",
            sentCount: 9,
            failedCount: 1,
            skippedCount: 0,
            successRate: 0.9,
          },
          {
            date: "2026-02-02",
            channel: "EMAIL",
            sentCount: 3,
            failedCount: 0,
            skippedCount: 2,
            successRate: 1,
          },
          {
            date: "2026-02-02",
            channel: "SLACK",
            sentCount: 0,
            failedCount: 0,
            skippedCount: 4,
            successRate: null,
          },
        ],
      });
      const channels = await api.call("GET", "/api/v1/dashboard/delivery/channels?from=2026-02-01", admin);
      expect(channels.body?.to).toBe("2026-02-07");
      expect(channels.body?.channels).toEqual([
        { channel: "EMAIL", sentCount: 12, failedCount: 1, skippedCount: 2, successRate: 0.9231 },
        { channel: "SLACK", sentCount: 0, failedCount: 0, skippedCount: 4, successRate: null },
      ]);
      const reversed = await api.call(
        "GET",
        "/api/v1/dashboard/delivery?from=2026-02-07&to=2026-02-01",
        admin,
      );
      expect(reversed.status).toBe(400);
      expect(fieldsOf(reversed.body)).toEqual(["query.from"]);

      const doc = (await api.call("GET", "/openapi.json")).body as Parameters<typeof responseValidator>[0];
      const check = responseValidator(doc);
      const path = "/api/v1/dashboard/delivery";
      expect(check(path, "get", 200, "application/json", daily.body)).toEqual([]);
      expect(
        check(path, "get", 200, "application/json", { ...daily.body, days: [{ date: "yesterday" }] }),
      ).not.toEqual([]);
    } finally {
      await api.close();
    }
  });

  test("settings take a JSON body only: text/plain, a form or no body is a 415 and leaves them as they were", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant();
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    const settings = {
      email: "kim@example.com",
      slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/abc",
    };
    const put = (body: string | undefined, type?: string) =>
      fetch(`${api.base}/api/v1/notifications/settings`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, ...(type ? { "content-type": type } : {}) },
        ...(body === undefined ? {} : { body }),
      });
    try {
      expect((await api.call("PUT", "/api/v1/notifications/settings", token, settings)).status).toBe(200);
      // Before: each of these answered 200 and reset the settings to defaults (email and webhook gone).
      for (const [body, type] of [
        [JSON.stringify({ locale: "en" }), "text/plain"],
        ["locale=en", "application/x-www-form-urlencoded"],
        ["locale=en", "multipart/form-data; boundary=x"],
        [JSON.stringify({ locale: "en" }), undefined],
        [undefined, undefined],
      ] as const) {
        const response = await put(body, type);
        expect(response.status, String(type)).toBe(415);
        expect(response.headers.get("content-type")).toContain("application/problem+json");
        expect(((await response.json()) as { detail: string }).detail).toContain("application/json");
      }
      expect((await api.call("GET", "/api/v1/notifications/settings", token)).body).toMatchObject(settings);

      const long = `https://hooks.slack.com/services/T0/B0/${"a".repeat(2048)}`;
      const tooLong = await api.call("PUT", "/api/v1/notifications/settings", token, {
        slackWebhookUrl: long,
      });
      expect(tooLong.status).toBe(400);
      const errors = tooLong.body?.errors as Array<{ field: string; message: string }>;
      expect(errors).toEqual([{ field: "body.slackWebhookUrl", message: "must be at most 2048 characters" }]);
      expect((await api.call("GET", "/api/v1/notifications/settings", token)).body).toMatchObject(settings);
    } finally {
      await api.close();
    }
  });

  test("parameters the store cannot hold are a 400 naming the field (a token's claims a 401), never a 500", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant();
    const token = await sign({ sub: "u1", tenant, roles: ["admin"] });
    const api = await startApi({ database, logger, registry });
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const fields = async (path: string, body?: unknown) => {
      const response = await api.call(body === undefined ? "GET" : "PUT", path, token, body);
      expect(response.status, path).toBe(400);
      expect(response.contentType).toContain("application/problem+json");
      return fieldsOf(response.body);
    };
    try {
      for (const bad of [
        ["2026-02-04T10:00:00.000000Z", "9223372036854775808"],
        ["2026-02-04T10:00:00.000000Z", "9999999999999999999"],
        ["2026-02-30T10:00:00.000000Z", "1"],
        ["2026-13-45T99:99:99.000000Z", "1"],
        ["0000-01-01T00:00:00.000000Z", "1"],
        ["9999-12-31T23:59:59.999999Z", "1"],
      ]) {
        expect(await fields(`/api/v1/notifications?cursor=${cursor(bad)}`), JSON.stringify(bad)).toEqual([
          "query.cursor",
        ]);
      }
      for (const dashboard of ["/api/v1/dashboard/delivery", "/api/v1/dashboard/delivery/channels"]) {
        expect(await fields(`${dashboard}?from=0000-01-01`)).toEqual(["query.from"]);
        expect(await fields(`${dashboard}?to=9999-12-31`)).toEqual(["query.to"]);
        expect(await fields(`${dashboard}?from=9999-12-25&to=9999-12-31`)).toEqual([
          "query.from",
          "query.to",
        ]);
        expect(await fields(`${dashboard}?tenant=a%00b`)).toEqual(["query.tenant"]);
      }
      expect(await fields("/api/v1/notifications?userId=u%001")).toEqual(["query.userId"]);
      expect(await fields("/api/v1/notifications?channel=EMAIL%00")).toEqual(["query.channel"]);
      expect(await fields("/api/v1/dashboard/delivery/failures?limit=1%00")).toEqual(["query.limit"]);
      expect(await fields("/api/v1/notifications/settings", { timeZone: "Asia/Seoul\u0000" })).toEqual([
        "body.timeZone",
      ]);

      for (const claims of [
        { sub: "u\u00001", tenant },
        { sub: "u1", tenant: `${tenant}\u0000` },
      ]) {
        const response = await api.call("GET", "/api/v1/notifications", await sign(claims));
        expect(response.status).toBe(401);
        expect(response.contentType).toContain("application/problem+json");
      }
    } finally {
      await api.close();
    }
  });
});
