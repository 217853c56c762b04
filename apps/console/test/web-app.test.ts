import { get } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP } from "../src/server/headers";
import { type ConsoleUnderTest, startConsole, startUpstream, type Upstream, webFixture } from "./harness";

/**
 * The built SPA as the server serves it: its exact CSP on every answer, index.html for the
 * client routes (revalidated), content-hashed assets cached for good, a missing asset a 404
 * (never the page), the server's own paths never swallowed by the fallback.
 */
describe("the console's web app and health", () => {
  const web = webFixture();
  let queryApi: Upstream;
  let dlqAdmin: Upstream;
  let consoleApp: ConsoleUnderTest;

  beforeAll(async () => {
    [queryApi, dlqAdmin] = await Promise.all([startUpstream("query-api"), startUpstream("dlq-admin")]);
    consoleApp = await startConsole({ queryApi: queryApi.url, dlqAdmin: dlqAdmin.url, webDir: web.dir });
  });
  afterAll(async () => {
    await consoleApp.close();
    await Promise.all([queryApi.close(), dlqAdmin.close()]);
    web.remove();
  });

  it.each(["/", "/sign-in", "/overview", "/deliveries/n-1?tenant=a", "/dead-letters/42", "/no-such-page"])(
    "%s is the app's page, under the strict CSP, revalidated on each load",
    async (path) => {
      const response = await fetch(`${consoleApp.base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
      );
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(await response.text()).toContain('<div id="root">');
    },
  );

  it("serves the hashed assets for a year and revalidates the page with its ETag", async () => {
    const script = await fetch(`${consoleApp.base}/assets/index-abc123.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(script.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    const style = await fetch(`${consoleApp.base}/assets/index-abc123.css`);
    expect(style.headers.get("content-type")).toMatch(/^text\/css/);

    const page = await fetch(`${consoleApp.base}/overview`);
    const etag = page.headers.get("etag");
    expect(etag).toBeTruthy();
    // node:http, not fetch: fetch adds Cache-Control: no-cache to a conditional request.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${consoleApp.base}/overview`, { headers: { "if-none-match": etag ?? "" } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on("error", reject);
    });
    expect(status).toBe(304);
  });

  it.each([
    ["/assets/index-old999.js", "a file of an earlier build"],
    ["/assets/", "the assets directory"],
    ["/api/v2/anything", "an API path outside /api/v1"],
    ["/console/nothing", "a server path"],
  ])("%s (%s) is a 404 problem, not the page", async (path) => {
    const response = await fetch(`${consoleApp.base}${path}`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
  });

  it("a POST to a page path is not the page", async () => {
    const response = await fetch(`${consoleApp.base}/overview`, { method: "POST" });
    expect(response.status).toBe(404);
  });

  it("/healthz, /readyz (both APIs reachable, the app built) and /metrics", async () => {
    expect((await fetch(`${consoleApp.base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${consoleApp.base}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, unknown> };
    expect([ready.status, body.status], JSON.stringify(body)).toEqual([200, "ready"]);
    expect(Object.keys(body.checks).sort()).toEqual(["dlq-admin", "query-api", "web app"]);
    const metrics = await (await fetch(`${consoleApp.base}/metrics`)).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="page"/);
  });

  it("is not ready without its web app", async () => {
    const empty = webFixture();
    empty.remove();
    const bare = await startConsole({ queryApi: queryApi.url, dlqAdmin: dlqAdmin.url, webDir: empty.dir });
    try {
      const ready = await fetch(`${bare.base}/readyz`);
      expect(ready.status).toBe(503);
      const { checks } = (await ready.json()) as { checks: Record<string, unknown> };
      expect(checks["web app"]).toMatchObject({ ok: false });
      const page = await fetch(`${bare.base}/overview`);
      expect(page.status).toBe(503);
      expect(((await page.json()) as { detail: string }).detail).toMatch(
        /pnpm --filter @fluxnotify\/console build/,
      );
    } finally {
      await bare.close();
    }
  });
});
