import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApp, defineRoute, listen } from "../src/http/index";
import { createLogger } from "../src/logger";
import { createMetricsRegistry } from "../src/metrics";

const secret = "test-secret-at-least-32-bytes-long!!";
const sign = (claims: Record<string, unknown>, expiresIn = "5m", key = secret) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(key));

const echo = defineRoute({
  method: "post",
  path: "/things/:id",
  summary: "echo",
  auth: "user",
  params: z.object({ id: z.string().regex(/^\d+$/) }),
  query: z.object({ limit: z.coerce.number().int().max(10).default(5) }),
  body: z.object({ name: z.string().min(1) }),
  responses: {
    200: { description: "ok", schema: z.object({ id: z.string(), limit: z.number(), user: z.string() }) },
  },
  handler: async ({ params, query, principal }) => ({
    status: 200,
    body: { id: params.id, limit: query.limit, user: principal.userId },
  }),
});
const replace = defineRoute({
  method: "put",
  path: "/things/:id",
  summary: "replace",
  auth: "user",
  params: z.object({ id: z.string().max(20) }),
  query: z.object({ note: z.string().optional() }),
  body: z.object({ name: z.string().default("unnamed") }),
  responses: { 200: { description: "ok", schema: z.object({ name: z.string() }) } },
  handler: async ({ body }) => ({ status: 200, body }),
});
const adminOnly = defineRoute({
  method: "get",
  path: "/admin",
  summary: "admin",
  auth: "admin",
  responses: { 204: { description: "ok" } },
  handler: async () => ({ status: 204 }),
});

async function startApp() {
  const { app, health } = createHttpApp({
    name: "test-api",
    logger: createLogger({ name: "t", level: "silent" }),
    registry: createMetricsRegistry("t"),
    checks: {},
    auth: { jwtSecret: secret },
    routes: [echo, replace, adminOnly],
    bodyLimit: "1kb",
  });
  health.setStarted(true);
  const server = await listen(app, 0, "127.0.0.1");
  const base = `http://127.0.0.1:${server.port}`;
  return { server, base };
}

describe("createHttpApp", () => {
  it("validates, authenticates, authorises and answers problems", async () => {
    const { server, base } = await startApp();
    const user = await sign({ sub: "u1", tenant: "t1", roles: [] });
    const admin = await sign({ sub: "a1", tenant: "t1", roles: ["admin"] });
    const post = (token: string | undefined, body: string, path = "/things/42?limit=3") =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
    try {
      const ok = await post(user, JSON.stringify({ name: "x" }));
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ id: "42", limit: 3, user: "u1" });
      expect(ok.headers.get("x-request-id")).toBeTruthy();
      expect(ok.headers.get("x-content-type-options")).toBe("nosniff");

      const invalid = await post(user, JSON.stringify({ name: "" }), "/things/abc?limit=99");
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await invalid.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.map((e) => e.field).sort()).toEqual(["body.name", "path.id", "query.limit"]);

      expect((await post(undefined, "{}")).status).toBe(401);
      expect((await post(await sign({ sub: "u1", tenant: "t1" }, "-1m"), "{}")).status).toBe(401);
      expect(
        (await post(await sign({ sub: "u1", tenant: "t1" }, "5m", "another-secret-another-secret!!"), "{}"))
          .status,
      ).toBe(401);
      const none = new UnsecuredJWT({ sub: "u1", tenant: "t1", roles: ["admin"] })
        .setExpirationTime("5m")
        .encode();
      expect((await post(none, "{}")).status).toBe(401);
      expect((await post("not.a.jwt", "{}")).status).toBe(401);

      expect((await post(user, JSON.stringify({ name: "x".repeat(2000) }))).status).toBe(413);
      expect((await post(user, "{oops")).status).toBe(400);

      expect((await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${user}` } })).status).toBe(
        403,
      );
      expect((await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(
        204,
      );
      expect((await fetch(`${base}/nowhere`)).status).toBe(404);

      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }> }>>;
      };
      expect(doc.openapi).toBe("3.1.0");
      expect(doc.paths["/things/{id}"]?.post?.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
        "path:id",
        "query:limit",
      ]);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("takes JSON bodies only (415), refuses NUL anywhere (400 naming the field) and answers every client error as a problem", async () => {
    const { server, base } = await startApp();
    const user = await sign({ sub: "u1", tenant: "t1", roles: [] });
    const send = (path: string, init: { body?: string; type?: string; token?: string } = {}) =>
      fetch(`${base}${path}`, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${init.token ?? user}`,
          ...(init.type ? { "content-type": init.type } : {}),
        },
        ...(init.body === undefined ? {} : { body: init.body }),
      });
    const problem = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const body = (await response.json()) as { detail: string; errors?: Array<{ field: string }> };
      expect(body.detail.length).toBeGreaterThan(0);
      return body;
    };
    try {
      // Before: every one of these reached the handler as {} and answered 200 with defaults.
      for (const init of [
        { body: '{"name":"x"}', type: "text/plain" },
        { body: "name=x", type: "application/x-www-form-urlencoded" },
        { body: '{"name":"x"}' },
        {},
      ]) {
        expect((await problem(await send("/things/1", init), 415)).detail).toContain("application/json");
      }
      const json = "application/json; charset=utf-8";
      const ok = await send("/things/1", { body: '{"name":"x"}', type: json });
      expect(await ok.json()).toEqual({ name: "x" });

      const nulBody = await send("/things/1", { body: '{"name":"a\\u0000b"}', type: json });
      expect((await problem(nulBody, 400)).errors?.map((e) => e.field)).toEqual(["body.name"]);
      const nulQuery = await send("/things/1?note=a%00b", { body: "{}", type: json });
      expect((await problem(nulQuery, 400)).errors?.map((e) => e.field)).toEqual(["query.note"]);
      const nulPath = await send("/things/a%00b", { body: "{}", type: json });
      expect((await problem(nulPath, 400)).errors?.map((e) => e.field)).toEqual(["path.id"]);
      const nulKey = await send("/things/1?x%00=1", { body: "{}", type: json });
      expect((await problem(nulKey, 400)).errors?.map((e) => e.field)).toEqual(["query.x\u0000"]);

      // Refused by the router and the body parser themselves: still problems, never 500.
      await problem(await send("/things/%E0%A4%A", { body: "{}", type: json }), 400);
      await problem(await send("/things/1", { body: "{}", type: "application/json; charset=latin-9" }), 415);

      for (const claims of [
        { sub: "u\u00001", tenant: "t1" },
        { sub: "u1", tenant: "t\u00001" },
        { sub: "u1", tenant: "t1", roles: ["ad\u0000min"] },
        { sub: "u1", tenant: "x".repeat(300) },
      ]) {
        const token = await sign(claims);
        expect(
          (await problem(await send("/things/1", { body: "{}", type: json, token }), 401)).detail,
        ).toContain("unusable");
      }

      // Refused by Node's HTTP parser before express: a problem too, not Node's bare text.
      const oversized = await fetch(`${base}/things/1?note=${"x".repeat(20_000)}`);
      await problem(oversized, 431);

      const operator = await sign({ sub: "o1", tenant: "anything", roles: ["operator"] });
      expect(
        (await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${operator}` } })).status,
      ).toBe(204);
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
      };
      expect(Object.keys(doc.paths["/things/{id}"]?.put?.responses ?? {}).sort()).toEqual([
        "200",
        "400",
        "401",
        "413",
        "415",
      ]);
      expect(doc.paths["/things/{id}"]?.put?.responses["415"]?.content).toHaveProperty(
        "application/problem+json",
      );
    } finally {
      await server.close();
    }
  });
});
