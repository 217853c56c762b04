import { createECDH, randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { dbTest as test } from "@fluxnotify/db/testing";
import { chromium, type Page } from "playwright-core";
import { describe, expect } from "vitest";
import { PAGE_CSP } from "../src/push-site/page";
import { sign, startApi } from "./api-harness";
import { uniqueTenant } from "./helpers";

/**
 * The example page in the machine's Chromium (apt: chromium; bin/test installs it), served by
 * a started query-api: it loads under its CSP without a violation or an error, its service
 * worker registers and becomes active, and it lists and deletes the user's devices. Pushing
 * itself needs a browser vendor's push service, which a headless browser here has not: the
 * worker's push and click handlers are tested in push-service-worker.test.ts.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

function browserSubscription() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") },
  };
}

describe("the /push/ page in Chromium", () => {
  test("loads under its CSP with no violation or error, registers its service worker, lists and deletes devices", async ({
    database,
    logger,
    registry,
  }) => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (bin/test does), or set CHROMIUM_PATH`,
      );
    }
    const tenant = uniqueTenant("site");
    const token = await sign({ sub: "user-1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
    try {
      // The files as served: the page's own policy, the worker's type and scope header.
      const page = await fetch(`${api.base}/push/`);
      expect(page.headers.get("content-security-policy")).toBe(PAGE_CSP);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const worker = await fetch(`${api.base}/push/sw.js`);
      expect(worker.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(worker.headers.get("service-worker-allowed")).toBe("/");
      const slashless = await fetch(`${api.base}/push`, { redirect: "manual" });
      expect([slashless.status, slashless.headers.get("location")]).toEqual([308, "/push/"]);

      const context = await browser.newContext();
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning")
          problems.push(`console ${message.type()}: ${message.text()}`);
      });
      tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      tab.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
      tab.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      // Reported by the page itself, whatever the console says about them. Strings, not
      // functions: they run in the page, which this package's (DOM-less) types do not describe.
      await tab.addInitScript({
        content: `window.cspViolations = [];
          document.addEventListener("securitypolicyviolation", (event) =>
            window.cspViolations.push(event.violatedDirective + " " + event.blockedURI));`,
      });

      await tab.goto(`${api.base}/push/`, { waitUntil: "load" });
      await expectText(tab, "#worker-status", /^Service worker active/);
      const ready = await tab.evaluate(`navigator.serviceWorker.ready.then((registration) => ({
        scope: registration.scope,
        script: registration.active && registration.active.scriptURL,
        state: registration.active && registration.active.state,
      }))`);
      expect(ready).toEqual({
        scope: `${api.base}/push/`,
        script: `${api.base}/push/sw.js`,
        state: "activated",
      });
      // The VAPID key came and the worker is there: subscribing is offered.
      await tab.waitForFunction(`!document.getElementById("subscribe").disabled`);

      // Without a token the page says what to do; with one it lists the user's devices.
      await tab.click("#refresh");
      await expectText(tab, "#devices-status", /Paste a bearer token first/);
      const label = '<img src=x onerror="window.pwned=1">Laptop';
      const registered = await api.call("POST", "/api/v1/notifications/push-subscriptions", token, {
        ...browserSubscription(),
        label,
      });
      expect(registered.status).toBe(201);
      await tab.fill("#token", token);
      await tab.click("#refresh");
      await expectText(tab, "#devices-status", /^1 device\(s\)\.$/);
      // Shown as text: the markup in the label never became an element.
      expect(await tab.locator("#devices .device-name").allTextContents()).toEqual([label]);
      expect(await tab.locator("#devices img").count()).toBe(0);
      expect(await tab.evaluate("window.pwned === undefined")).toBe(true);
      const [detail] = await tab.locator("#devices .device-detail").allTextContents();
      expect(detail).toMatch(/^https:\/\/fcm\.googleapis\.com\/… · registered /);

      await tab.click("#devices button");
      await expectText(tab, "#devices-status", /^Deleted\. No devices registered\.$/);
      expect((await api.call("GET", "/api/v1/notifications/push-subscriptions", token)).body?.items).toEqual(
        [],
      );

      expect(await tab.evaluate("window.cspViolations")).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
      await api.close();
    }
  });
});

/** Waits until the element's text matches. */
async function expectText(tab: Page, selector: string, pattern: RegExp) {
  await tab.locator(selector).filter({ hasText: pattern }).waitFor({ state: "attached", timeout: 10_000 });
}
