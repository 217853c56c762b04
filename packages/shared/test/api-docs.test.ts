import { readFileSync } from "node:fs";
import { get } from "node:http";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { DOCS_CSP } from "../src/http/api-docs/index";
import { createHttpApp, listen } from "../src/http/index";
import { createLogger } from "../src/logger";
import { createMetricsRegistry } from "../src/metrics";
import { fetchApiReference } from "../src/testing/api-docs";

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

async function startApp(apiReference?: boolean) {
  const { app, health } = createHttpApp({
    name: "test-api",
    logger: createLogger({ name: "t", level: "silent" }),
    registry: createMetricsRegistry("t"),
    checks: {},
    auth: { jwtSecret: "test-secret-at-least-32-bytes-long!!" },
    routes: [],
    ...(apiReference === undefined ? {} : { apiReference }),
  });
  health.setStarted(true);
  const server = await listen(app, 0, "127.0.0.1");
  return { server, origin: `http://127.0.0.1:${server.port}` };
}

const installed = (file: string) =>
  readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`));

describe("the API reference (/docs)", () => {
  it("is a page of this origin only, under its own CSP, with Swagger UI's files beside it", async () => {
    const { server, origin } = await startApp();
    try {
      const reference = await fetchApiReference(origin);
      expect(reference.page.status).toBe(200);
      expect(reference.page.contentType).toBe("text/html; charset=utf-8");
      expect(reference.page.csp).toBe(DOCS_CSP);
      // Nothing from another host: no CDN script or stylesheet, no web font, no validator badge.
      expect(reference.html).not.toMatch(/https?:\/\//);
      expect(reference.html).not.toMatch(/<script>|<style|\sstyle=/);
      for (const url of reference.references) expect(url).toMatch(/^(\/docs\/assets\/[\w.-]+|data:,)$/);
      expect(reference.html).toContain('data-spec-url="/openapi.json"');

      const types = Object.fromEntries(reference.files.map((file) => [file.path, file.contentType]));
      expect(types).toEqual({
        "/docs/assets/swagger-ui.css": "text/css; charset=utf-8",
        "/docs/assets/swagger-ui-bundle.js": "text/javascript; charset=utf-8",
        "/docs/assets/init.js": "text/javascript; charset=utf-8",
      });
      for (const file of reference.files) {
        expect(file.status, file.path).toBe(200);
        // Only the page is a document: its files keep the API's policy.
        expect(file.csp, file.path).toBe(API_CSP);
      }
      const served = (path: string) => reference.files.find((file) => file.path === path)?.body;
      expect(served("/docs/assets/swagger-ui-bundle.js")?.equals(installed("swagger-ui-bundle.js"))).toBe(
        true,
      );
      expect(served("/docs/assets/swagger-ui.css")?.equals(installed("swagger-ui.css"))).toBe(true);
      const init = served("/docs/assets/init.js")?.toString() ?? "";
      expect(init).toContain("validatorUrl: null");
      expect(init).not.toMatch(/https?:\/\//);

      // The rest of the API keeps its policy.
      const openapi = await fetch(`${origin}/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(openapi.headers.get("content-security-policy")).toBe(API_CSP);
      expect((await fetch(`${origin}/docs/assets/nothing.js`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("answers a revalidation with 304 and can be turned off", async () => {
    const { server, origin } = await startApp();
    try {
      const first = await fetch(`${origin}/docs/assets/swagger-ui.css`);
      const etag = first.headers.get("etag") as string;
      expect(first.headers.get("cache-control")).toBe("no-cache");
      // node:http, not fetch: fetch marks a request with If-None-Match "Cache-Control: no-cache",
      // which a server must answer in full; a browser revalidating its cache sends no such thing.
      const status = await new Promise<number | undefined>((resolve, reject) =>
        get(`${origin}/docs/assets/swagger-ui.css`, { headers: { "if-none-match": etag } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        }).on("error", reject),
      );
      expect(status).toBe(304);
    } finally {
      await server.close();
    }
    const off = await startApp(false);
    try {
      expect((await fetch(`${off.origin}/docs`)).status).toBe(404);
      expect((await fetch(`${off.origin}/openapi.json`)).status).toBe(200);
    } finally {
      await off.server.close();
    }
  });
});
