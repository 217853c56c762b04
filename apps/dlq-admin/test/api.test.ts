import { insertDlqMessages, type NewDlqMessage } from "@fluxnotify/db/queries/dlq";
import { dbTest as test } from "@fluxnotify/db/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { adminToken, operatorToken, present, sign, startDlqAdmin, unique } from "./harness";

let offset = BigInt(Date.now()) * 1000n;
const row = (overrides: Partial<NewDlqMessage>): NewDlqMessage => ({
  domain: "payment",
  dlqTopic: "test.api-seed",
  dlqPartition: 0,
  dlqOffset: offset++,
  originalTopic: "notification.commands.email",
  errorMessage: "boom",
  failedAt: new Date(),
  headers: {},
  ...overrides,
});

const UNKNOWN_ID = "9223372036854775000";
const ENDPOINTS: Array<[string, string, unknown?]> = [
  ["GET", "/api/v1/admin/dlq"],
  ["GET", `/api/v1/admin/dlq/${UNKNOWN_ID}`],
  ["POST", `/api/v1/admin/dlq/${UNKNOWN_ID}/retry`],
  ["POST", "/api/v1/admin/dlq/retry-all", { all: true }],
  ["POST", "/api/v1/admin/dlq/retry-all", { all: true, dryRun: true }],
  ["GET", "/api/v1/admin/dlq/summary"],
  ["DELETE", `/api/v1/admin/dlq/${UNKNOWN_ID}`],
  ["GET", `/api/v1/admin/dlq/${UNKNOWN_ID}/original`],
];

describe("admin API", () => {
  test("401 without or with a bad token and 403 without the admin role, on every endpoint", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    const claims = { sub: "u1", tenant: "t1", roles: ["admin"] };
    const badTokens = [
      null,
      await sign(claims, { expiresIn: "-1m" }),
      await sign(claims, { secret: "some-other-secret-that-is-long-enough" }),
      "not.a.jwt",
    ];
    const user = await sign({ sub: "u1", tenant: "t1", roles: ["user"] });
    try {
      for (const [method, path, body] of ENDPOINTS) {
        for (const token of badTokens) {
          const response = await admin.call(method, path, body, token);
          expect(response.status, `${method} ${path}`).toBe(401);
          expect(response.headers.get("content-type")).toContain("application/problem+json");
        }
        expect((await admin.call(method, path, body, user)).status, `${method} ${path}`).toBe(403);
      }
    } finally {
      await admin.stop();
    }
  });

  test("400 naming the field, 404 for an unknown id", async ({ kafka, database, logger, registry }) => {
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    const fieldsOf = async (response: Response) => {
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      return ((await response.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    };
    try {
      expect(await fieldsOf(await admin.call("GET", "/api/v1/admin/dlq?status=BOGUS&limit=500"))).toEqual([
        "query.status",
        "query.limit",
      ]);
      expect(await fieldsOf(await admin.call("GET", "/api/v1/admin/dlq?limit=0"))).toEqual(["query.limit"]);
      expect(await fieldsOf(await admin.call("GET", "/api/v1/admin/dlq?cursor=%21%21"))).toEqual([
        "query.cursor",
      ]);
      expect(await fieldsOf(await admin.call("GET", "/api/v1/admin/dlq?cursor=bm90LWFuLWlk"))).toEqual([
        "query.cursor",
      ]);
      expect(await fieldsOf(await admin.call("POST", "/api/v1/admin/dlq/abc/retry"))).toEqual(["path.id"]);
      expect(await fieldsOf(await admin.call("GET", "/api/v1/admin/dlq?from=yesterday"))).toEqual([
        "query.from",
      ]);
      expect(
        await fieldsOf(
          await admin.call("GET", "/api/v1/admin/dlq?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z"),
        ),
      ).toEqual(["query.from"]);
      expect(
        await fieldsOf(await admin.call("POST", "/api/v1/admin/dlq/retry-all", { status: "x" })),
      ).toEqual(["body"]);
      for (const [method, path] of ENDPOINTS.slice(1).filter(([, p]) => p.includes(UNKNOWN_ID))) {
        const response = await admin.call(method, path);
        expect(response.status).toBe(404);
        expect(((await response.json()) as { detail: string }).detail).toContain(UNKNOWN_ID);
      }
    } finally {
      await admin.stop();
    }
  });

  test("pages newest first with a cursor stable under inserts; documents itself as OpenAPI 3.1", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    const code = unique("E_PAGE");
    try {
      await insertDlqMessages(
        database.db,
        [1, 2, 3, 4, 5].map((n) => row({ errorCode: code, key: `k${n}`, value: Buffer.from(`v${n}`) })),
      );
      const page = async (cursor?: string) => {
        const query = `errorCode=${code}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
        const response = await admin.call("GET", `/api/v1/admin/dlq?${query}`);
        expect(response.status).toBe(200);
        return (await response.json()) as { items: DlqItem[]; nextCursor: string | null };
      };
      const first = await page();
      expect(first.items.map((item) => item.key)).toEqual(["k5", "k4"]);
      // Arrives while the client pages: it is newer than the cursor, so it cannot shift later pages.
      await insertDlqMessages(database.db, [row({ errorCode: code, key: "k6" })]);
      const second = await page(first.nextCursor ?? undefined);
      expect(second.items.map((item) => item.key)).toEqual(["k3", "k2"]);
      const third = await page(second.nextCursor ?? undefined);
      expect(third.items.map((item) => item.key)).toEqual(["k1"]);
      expect(third.nextCursor).toBeNull();
      expect((await page()).items[0]?.key).toBe("k6");
      expect(((await page()) as unknown as { totals: unknown }).totals).toEqual([
        { domain: "payment", channel: null, count: 6 },
      ]);

      const doc = (await (await fetch(`${admin.base}/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<
          string,
          Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
        >;
      };
      expect(doc.openapi).toBe("3.1.0");
      const result = await new Validator().validate(doc);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(Object.keys(doc.paths).sort()).toEqual([
        "/api/v1/admin/dlq",
        "/api/v1/admin/dlq/retry-all",
        "/api/v1/admin/dlq/summary",
        "/api/v1/admin/dlq/{id}",
        "/api/v1/admin/dlq/{id}/original",
        "/api/v1/admin/dlq/{id}/retry",
      ]);
      expect(Object.keys(doc.paths["/api/v1/admin/dlq/{id}"] ?? {}).sort()).toEqual(["delete", "get"]);

      const schema =
        doc.paths["/api/v1/admin/dlq"]?.get?.responses["200"]?.content?.["application/json"]?.schema;
      if (!schema) throw new Error("list response schema missing");
      const ajv = new Ajv2020({ strict: false });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      for (const body of [first, second, third]) {
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      }
      expect(validate({ items: [{ id: 1 }], nextCursor: null, totals: [] })).toBe(false);
    } finally {
      await admin.stop();
    }
  });

  test("filters by error text, time range, domain and channel; totals count every match", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    const code = unique("E_FILTER");
    const day = (d: number) => new Date(Date.UTC(2026, 1, d, 12));
    try {
      await insertDlqMessages(database.db, [
        row({ errorCode: code, key: "a", failedAt: day(1), errorMessage: "SMTP 550 mailbox unavailable" }),
        row({
          errorCode: code,
          key: "b",
          failedAt: day(2),
          channel: "EMAIL",
          errorMessage: "550 Mailbox full",
        }),
        row({
          errorCode: code,
          key: "c",
          failedAt: day(3),
          channel: "SLACK",
          errorMessage: "404 no_service",
        }),
        row({
          errorCode: code,
          key: "d",
          failedAt: day(3),
          domain: "refund",
          errorMessage: "50%_off mailbox",
        }),
      ]);
      const keys = async (query: string) => {
        const response = await admin.call("GET", `/api/v1/admin/dlq?errorCode=${code}&${query}`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { items: DlqItem[]; totals: unknown };
        return { keys: body.items.map((item) => item.key).sort(), totals: body.totals };
      };
      expect((await keys("error=MAILBOX")).keys).toEqual(["a", "b", "d"]);
      // LIKE wildcards in the search text are taken literally.
      expect((await keys(`error=${encodeURIComponent("50%_")}`)).keys).toEqual(["d"]);
      expect((await keys("from=2026-02-02T00:00:00Z&to=2026-02-03T00:00:00Z")).keys).toEqual(["b"]);
      expect((await keys("from=2026-02-02T00:00:00Z")).keys).toEqual(["b", "c", "d"]);
      const all = await keys("limit=1");
      expect(all.keys).toHaveLength(1);
      expect(all.totals).toEqual([
        { domain: "payment", channel: "EMAIL", count: 1 },
        { domain: "payment", channel: "SLACK", count: 1 },
        { domain: "payment", channel: null, count: 1 },
        { domain: "refund", channel: null, count: 1 },
      ]);
      expect((await keys("domain=payment&channel=SLACK")).keys).toEqual(["c"]);
    } finally {
      await admin.stop();
    }
  });

  test("retry-all takes a JSON body with a filter or an explicit all: true; every other body is refused", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const original = await kafka.createTopic("orig-explicit");
    const tenant = unique("tenant-explicit");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false, replayTargets: { [original]: original } },
    );
    const token = await adminToken(tenant);
    const code = unique("E_EXPLICIT");
    const post = (body: string | undefined, type?: string) =>
      fetch(`${admin.base}/api/v1/admin/dlq/retry-all`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, ...(type ? { "content-type": type } : {}) },
        ...(body === undefined ? {} : { body }),
      });
    const statusOf = async (id: bigint) =>
      (await database.sql<{ status: string }[]>`select status from dlq_messages where id = ${String(id)}`)[0]
        ?.status;
    try {
      const [pending] = await insertDlqMessages(database.db, [
        row({ tenantId: tenant, errorCode: code, originalTopic: original }),
      ]);
      const id = present(pending).id;
      // Before: a text/plain or form body was no filter at all, and replayed every pending dead letter.
      for (const [body, type] of [
        [JSON.stringify({ errorCode: "E_NOTHING" }), "text/plain"],
        ["errorCode=E_NOTHING", "application/x-www-form-urlencoded"],
        [JSON.stringify({ errorCode: "E_NOTHING" }), undefined],
        [undefined, undefined],
      ] as const) {
        const response = await post(body, type);
        expect(response.status, `${type} ${body}`).toBe(415);
        expect(response.headers.get("content-type")).toContain("application/problem+json");
      }
      for (const body of ["{}", '{"all":false}']) {
        const response = await post(body, "application/json");
        expect(response.status).toBe(400);
        const problem = (await response.json()) as { detail: string; errors: Array<{ field: string }> };
        expect(problem.errors.map((e) => e.field)).toEqual(["body.all"]);
        expect(problem.detail).toContain('"all": true');
      }
      expect(await statusOf(id)).toBe("PENDING");

      const all = await post('{"all":true}', "application/json");
      expect(all.status).toBe(200);
      expect(await all.json()).toEqual({ replayed: 1, remaining: 0, unreplayable: 0 });
      expect(await statusOf(id)).toBe("REPLAYED");

      const doc = (await (await fetch(`${admin.base}/openapi.json`)).json()) as {
        paths: Record<
          string,
          Record<string, { requestBody: { content: Record<string, { schema: object }> } }>
        >;
      };
      const documented = doc.paths["/api/v1/admin/dlq/retry-all"]?.post;
      expect(documented?.requestBody.content["application/json"]?.schema).toMatchObject({
        properties: { all: { type: "boolean" } },
      });
      expect(Object.keys((documented as unknown as { responses: object }).responses)).toContain("415");
    } finally {
      await admin.stop();
    }
  });

  test("parameters the store cannot hold are a 400 naming the field (or 401 for a token), never a 500", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    const problem = async (response: Response, status: number) => {
      expect(response.status, response.url).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      return (await response.json()) as { detail: string; errors?: Array<{ field: string }> };
    };
    const fields = async (path: string, body?: unknown) =>
      (await problem(await admin.call(body === undefined ? "GET" : "POST", path, body), 400)).errors?.map(
        (e) => e.field,
      );
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    try {
      expect(await fields(`/api/v1/admin/dlq?cursor=${b64("9223372036854775808")}`)).toEqual([
        "query.cursor",
      ]);
      expect(await fields("/api/v1/admin/dlq?from=0000-01-01T00:00:00Z")).toEqual(["query.from"]);
      expect(await fields("/api/v1/admin/dlq?to=9999-12-31T23:59:59-14:00")).toEqual(["query.to"]);
      expect(await fields("/api/v1/admin/dlq?eventId=evt%00x&error=a%00")).toEqual([
        "query.eventId",
        "query.error",
      ]);
      expect(await fields("/api/v1/admin/dlq?tenant=t%00")).toEqual(["query.tenant"]);
      expect(await fields("/api/v1/admin/dlq/99999999999999999999")).toEqual(["path.id"]);
      expect(await fields("/api/v1/admin/dlq/1%00")).toEqual(["path.id"]);
      expect(await fields("/api/v1/admin/dlq/retry-all", { eventId: "a\u0000b" })).toEqual(["body.eventId"]);
      expect(await fields("/api/v1/admin/dlq/retry-all", { from: "9999-01-01T00:00:00Z" })).toEqual([
        "body.from",
      ]);
      const reason = await problem(await admin.call("DELETE", "/api/v1/admin/dlq/1?reason=x%00"), 400);
      expect(reason.errors?.map((e) => e.field)).toEqual(["query.reason"]);
      const nulClaim = await sign({ sub: "op\u0000", tenant: "platform", roles: ["operator"] });
      expect(
        (await problem(await admin.call("GET", "/api/v1/admin/dlq", undefined, nulClaim), 401)).detail,
      ).toContain("sub");
    } finally {
      await admin.stop();
    }
  });

  test("roles: an admin acts on its own tenant only; an operator on every tenant, narrowed by ?tenant=", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const original = await kafka.createTopic("orig-roles");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false, replayTargets: { [original]: original } },
    );
    const [a, b] = [unique("tenant-a"), unique("tenant-b")];
    const code = unique("E_ROLES");
    const tokens = {
      adminA: await adminToken(a),
      adminB: await adminToken(b),
      // An operator's own tenant claim does not narrow anything.
      operator: await operatorToken(),
      both: await sign({ sub: "both", tenant: a, roles: ["admin", "operator"] }),
    };
    type Caller = keyof typeof tokens;
    const seeded = await insertDlqMessages(
      database.db,
      [a, a, b, null].map((tenantId, n) =>
        row({ tenantId, errorCode: code, key: `${tenantId ?? "none"}-${n}`, originalTopic: original }),
      ),
    );
    const [a1, , b1, none] = seeded.map((r) => String(r.id));
    const list = async (caller: Caller, query = "") => {
      const response = await admin.call(
        "GET",
        `/api/v1/admin/dlq?errorCode=${code}${query}`,
        undefined,
        tokens[caller],
      );
      if (response.status !== 200) return response.status;
      const body = (await response.json()) as { items: DlqItem[]; totals: Array<{ count: number }> };
      return {
        tenants: body.items.map((item) => item.tenantId),
        total: body.totals.reduce((sum, t) => sum + t.count, 0),
      };
    };
    const statusOf = async (id: string | undefined) =>
      (await database.sql<{ status: string }[]>`select status from dlq_messages where id = ${id ?? "0"}`)[0]
        ?.status;
    try {
      expect(await list("adminA")).toEqual({ tenants: [a, a], total: 2 });
      expect(await list("adminB")).toEqual({ tenants: [b], total: 1 });
      expect(await list("adminA", `&tenant=${a}`)).toEqual({ tenants: [a, a], total: 2 });
      expect(await list("adminA", `&tenant=${b}`)).toBe(403);
      expect(await list("operator")).toEqual({ tenants: [null, b, a, a], total: 4 });
      expect(await list("both")).toEqual({ tenants: [null, b, a, a], total: 4 });
      expect(await list("operator", `&tenant=${b}`)).toEqual({ tenants: [b], total: 1 });
      expect(await list("operator", "&tenant=nobody")).toEqual({ tenants: [], total: 0 });

      // Another tenant's dead letter, or one without a tenant, does not exist for an admin.
      const status = async (method: string, path: string, caller: Caller) =>
        (await admin.call(method, path, undefined, tokens[caller])).status;
      for (const id of [b1, none]) {
        expect(await status("GET", `/api/v1/admin/dlq/${id}`, "adminA")).toBe(404);
        expect(await status("POST", `/api/v1/admin/dlq/${id}/retry`, "adminA")).toBe(404);
        expect(await status("DELETE", `/api/v1/admin/dlq/${id}?reason=mine`, "adminA")).toBe(404);
        expect(await statusOf(id)).toBe("PENDING");
        expect(await status("GET", `/api/v1/admin/dlq/${id}`, "operator")).toBe(200);
      }
      expect(await status("GET", `/api/v1/admin/dlq/${b1}`, "adminB")).toBe(200);
      expect(await status("GET", `/api/v1/admin/dlq/${none}`, "adminB")).toBe(404);
      const detail = (await (
        await admin.call("GET", `/api/v1/admin/dlq/${a1}`, undefined, tokens.adminA)
      ).json()) as DlqItem;
      expect(detail.tenantId).toBe(a);

      const retryAll = async (caller: Caller, body: Record<string, unknown>) => {
        const response = await admin.call("POST", "/api/v1/admin/dlq/retry-all", body, tokens[caller]);
        return response.status === 200
          ? ((await response.json()) as { replayed: number }).replayed
          : response.status;
      };
      expect(await retryAll("adminB", { errorCode: code, tenant: a })).toBe(403);
      expect(await retryAll("adminA", { all: true, errorCode: code })).toBe(2);
      expect([await statusOf(b1), await statusOf(none)]).toEqual(["PENDING", "PENDING"]);
      expect(await retryAll("operator", { errorCode: code, tenant: b })).toBe(1);
      expect(await statusOf(none)).toBe("PENDING");
      expect(await retryAll("operator", { errorCode: code })).toBe(1);
      expect(await statusOf(none)).toBe("REPLAYED");

      expect(await status("DELETE", `/api/v1/admin/dlq/${b1}?reason=theirs`, "adminB")).toBe(204);
      expect(await statusOf(b1)).toBe("DISCARDED");
      expect(await status("POST", `/api/v1/admin/dlq/${a1}/retry`, "adminA")).toBe(200);
    } finally {
      await admin.stop();
    }
  });
});
