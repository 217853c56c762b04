import { readFileSync } from "node:fs";
import { get } from "node:http";
import { dbTest as test } from "@fluxnotify/db/testing";
import { describe, expect } from "vitest";
import { inboxComponentFile } from "../src/inbox-site/assets";
import { PAGE_CSP } from "../src/inbox-site/page";
import { startApi } from "./api-harness";

/**
 * The inbox's files as a started query-api serves them, without a token: the demo page under
 * its own strict policy, its script and stylesheet, and the component, which other sites load
 * cross-origin (CORS for module scripts, and the app's same-origin CORP lifted for it alone).
 * The component at work in a browser: e2e/test/inbox-browser.test.ts.
 */
describe("the /inbox/ site", () => {
  test("serves the page, its files and the component with their types, policies and revalidation", async ({
    database,
    logger,
    registry,
  }) => {
    const api = await startApi({ database, logger, registry });
    try {
      const page = await fetch(`${api.base}/inbox/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("content-security-policy")).toBe(PAGE_CSP);
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(page.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      expect(page.headers.get("access-control-allow-origin")).toBeNull();
      const html = await page.text();
      // Every script and stylesheet a file of this origin; no inline script or style.
      const references = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
      expect(references).toEqual([
        "data:,",
        "/inbox/inbox.css",
        "/inbox/fluxnotify-inbox.js",
        "/inbox/app.js",
      ]);
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=/);
      expect(html).toContain('<fluxnotify-inbox id="inbox"></fluxnotify-inbox>');

      for (const [path, type] of [
        ["/inbox/app.js", "text/javascript; charset=utf-8"],
        ["/inbox/inbox.css", "text/css; charset=utf-8"],
      ] as const) {
        const response = await fetch(`${api.base}${path}`);
        expect([response.status, response.headers.get("content-type")], path).toEqual([200, type]);
        expect(response.headers.get("cross-origin-resource-policy"), path).toBe("same-origin");
        expect((await response.text()).length, path).toBeGreaterThan(100);
      }

      // The component: the very file of the source tree, public, cross-origin.
      const script = await fetch(`${api.base}/inbox/fluxnotify-inbox.js`, {
        headers: { Origin: "https://shop.example" },
      });
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(script.headers.get("access-control-allow-origin")).toBe("*");
      expect(script.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
      expect(script.headers.get("cache-control")).toBe("no-cache");
      expect(await script.text()).toBe(readFileSync(inboxComponentFile(), "utf8"));
      const etag = script.headers.get("etag");
      expect(etag).toBeTruthy();
      // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a conditional request,
      // which a server must answer in full.
      expect(
        await statusOf(`${api.base}/inbox/fluxnotify-inbox.js`, { "If-None-Match": etag as string }),
      ).toBe(304);

      const slashless = await fetch(`${api.base}/inbox`, { redirect: "manual" });
      expect([slashless.status, slashless.headers.get("location")]).toEqual([308, "/inbox/"]);

      // In the API's own document, as public routes.
      const doc = (await (await fetch(`${api.base}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>>;
      };
      for (const path of ["/inbox/", "/inbox/app.js", "/inbox/inbox.css", "/inbox/fluxnotify-inbox.js"]) {
        expect(doc.paths[path]?.get?.tags, path).toEqual(["inbox site"]);
      }
    } finally {
      await api.close();
    }
  });
});

function statusOf(url: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on("error", reject);
  });
}
