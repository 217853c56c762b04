import { insertDlqMessages, type NewDlqMessage } from "@fluxnotify/db/queries/dlq";
import { dbTest as test } from "@fluxnotify/db/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { sign, startDlqAdmin, unique } from "./harness";

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
  ["POST", "/api/v1/admin/dlq/retry-all", {}],
  ["DELETE", `/api/v1/admin/dlq/${UNKNOWN_ID}`],
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
        "/api/v1/admin/dlq/{id}",
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
});
