import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@fluxnotify/platform/apps";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import "../src/provided";
import { apiFor } from "../src/api";
import { launchChromium } from "../src/chromium";
import { event, type FluxPayEvent, fluxpayPublisher } from "../src/fluxpay";
import { eventually, logHint } from "../src/observe";
import { waitForQuietConsumers } from "../src/quiet";
import { E2E, QUERY_API, tenantsOf } from "../src/resources";
import { OCCURRED_AT } from "../src/scenario";
import { startShopSite } from "../src/shop-site";
import { startTcpProxy, type TcpProxy } from "../src/tcp-proxy";

/**
 * The inbox as a person sees it: the /inbox/ demo page in the machine's Chromium, through a
 * TCP proxy in front of query-api (so the test can take the network away), with FluxPay
 * events published to Kafka and carried by the whole platform. The badge follows within a
 * second, a click marks a notification read on the server, a cut connection loses and
 * duplicates nothing, and the tabs of one browser share one stream.
 */
const runId = inject("e2eRunId");
const tenant = tenantsOf(runId).inbox;
const api = apiFor(tenant);
const USER = "mina";
const ARTIFACTS = join(REPO_ROOT, "e2e", "artifacts", "inbox");
/** From the publish to the badge, in the browser: the budget. */
const BADGE_BUDGET_MS = 1_000;
// Shown as text, never run: a plan name is data from FluxPay, and the in-app body quotes it.
const HOSTILE_PLAN = `<img src=x onerror="window.pwned=1">Pro`;

interface Row {
  id: string;
  read: string;
  title: string;
  body: string;
}

interface InboxAnswer {
  items: Array<{ notificationId: string; readAt: string | null; title: string; body: string }>;
  unreadCount: number;
  nextCursor: string | null;
}

const publisher = fluxpayPublisher();
let browser: Browser;
let context: BrowserContext;
let proxy: TcpProxy;
let token: string;
/** What each tab reported that a healthy page never does. */
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await api.putSettings(USER, { email: null, locale: "ko" });
  token = await api.userToken(USER);
  // Warm the path (the producer's metadata, every consumer's first fetch) with another
  // user's notification: the latency measured below is the steady one.
  const warm = subscriptionExpiring("warmup", "Warm");
  await publisher.publish([[warm, "structured"]]);
  await eventually(async () => {
    const history = await api.history("warmup");
    expect(history.find((item) => item.channel === "IN_APP")?.status, logHint()).toBe("SENT");
  });
  proxy = await startTcpProxy({ host: "127.0.0.1", port: E2E.ports["query-api"] });
  browser = await launchChromium();
  context = await browser.newContext({ locale: "ko-KR", viewport: { width: 1100, height: 720 } });
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await publisher.close();
});

function subscriptionExpiring(userId: string, planName: string): FluxPayEvent {
  return event(tenant, "subscription.expiring", {
    subscriptionId: `sub-${Math.random().toString(36).slice(2, 10)}`,
    userId,
    planName,
    expiresAt: "2026-04-04T10:30:00Z",
    occurredAt: OCCURRED_AT,
  });
}

async function serverInbox(): Promise<InboxAnswer> {
  const answer = await api.raw<InboxAnswer>(
    "GET",
    `${QUERY_API}/api/v1/notifications/inbox?limit=100`,
    token,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** A tab of the shared browser on the demo page, signed in through the URL fragment. */
async function openTab(name: string): Promise<Page> {
  const tab = await watched(context, name);
  await tab.goto(`${proxy.origin}/inbox/#token=${token}`, { waitUntil: "load" });
  return tab;
}

/** A new tab whose errors, failed requests, CSP violations and unread events are recorded. */
async function watched(inContext: BrowserContext, name: string): Promise<Page> {
  const tab = await inContext.newPage();
  tab.on("pageerror", (error) => problems.push(`${name} page error: ${error.message}`));
  tab.on("console", (message) => {
    // A connection the proxy cut is the browser's to report; anything else is a problem.
    if (message.type() === "error" && !/net::ERR_/.test(message.text()))
      problems.push(`${name} console: ${message.text()}`);
  });
  tab.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${name} ${response.status()} ${response.url()}`);
  });
  // Reported by the page itself; strings, as they run in the page (no DOM types here).
  await tab.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) =>
        window.cspViolations.push(event.violatedDirective + " " + event.blockedURI));
      window.unreadLog = [];
      document.addEventListener("fluxnotify-unread", (event) =>
        window.unreadLog.push({ at: Date.now(), count: event.detail.unreadCount }));`,
  });
  return tab;
}

const attached = { state: "attached" } as const;
const waitForBadge = (tab: Page, count: number, timeout = 10_000) =>
  tab.waitForSelector(`[part="badge"][data-count="${count}"]`, { ...attached, timeout });
const waitForRoot = (tab: Page, selector: string, timeout = 10_000) =>
  tab.waitForSelector(`[part="root"]${selector}`, { ...attached, timeout });

/** The list as the tab shows it. A string: it runs in the page, which these (DOM-less) types do not describe. */
async function rows(tab: Page): Promise<Row[]> {
  return (await tab.evaluate(`[...document.querySelector("fluxnotify-inbox").shadowRoot.querySelectorAll('[part="item"]')]
    .map((item) => ({
      id: item.dataset.notificationId,
      read: item.dataset.read,
      title: item.querySelector('[part="item-title"]').textContent,
      body: item.querySelector('[part="item-body"]').textContent,
    }))`)) as Row[];
}

async function openPanel(tab: Page) {
  if (await tab.locator('[part="panel"]').isHidden()) await tab.click('[part="bell"]');
  await tab.waitForSelector('[part="panel"]');
}

describe("the inbox in Chromium", () => {
  let first: Page;
  let firstId: string;

  it("the page takes its token from the fragment, opens the stream and shows a badge of 0", async () => {
    first = await openTab("tab 1");
    // Read, then taken out of the address bar: not in the history, not in a copied link.
    expect(first.url()).toBe(`${proxy.origin}/inbox/`);
    await waitForRoot(first, '[data-role="leader"][data-stream="open"]');
    await waitForBadge(first, 0);
    expect(await first.locator('[part="badge"]').isHidden()).toBe(true);
    expect(proxy.openStreams()).toBe(1);
  });

  it(`a published event turns the badge from 0 to 1 within ${BADGE_BUDGET_MS} ms`, async () => {
    const published = subscriptionExpiring(USER, HOSTILE_PLAN);
    const quiet = await waitForQuietConsumers(["ingest-worker", "inapp-worker"]);
    const publishedAt = Date.now();
    await publisher.publish([[published, "structured"]]);
    await waitForBadge(first, 1, 15_000);
    const log = (await first.evaluate("window.unreadLog")) as Array<{ at: number; count: number }>;
    const shown = log.find((entry) => entry.count === 1);
    const latency = (shown?.at ?? Number.POSITIVE_INFINITY) - publishedAt;
    console.log(
      `inbox e2e: publish → badge 1 in ${latency} ms${quiet ? "" : " (the workers were still busy)"}`,
    );
    expect(latency, logHint()).toBeLessThanOrEqual(BADGE_BUDGET_MS);
    expect(await first.locator('[part="badge"]').textContent()).toBe("1");
    expect(await first.getAttribute('[part="bell"]', "aria-label")).toBe("알림, 읽지 않은 알림 1개");
  });

  it("the list shows it unread, as text; a click marks it read: badge 0, readAt set on the server", async () => {
    await openPanel(first);
    const [row, ...others] = await rows(first);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ read: "false", title: "구독 만료 예정 안내" });
    expect(row?.body).toContain(HOSTILE_PLAN);
    expect(await first.locator('[part="list"] img').count()).toBe(0);
    expect(await first.evaluate("window.pwned === undefined")).toBe(true);
    firstId = row?.id as string;
    expect((await serverInbox()).items.map((item) => item.notificationId)).toEqual([firstId]);
    await first.screenshot({ path: join(ARTIFACTS, "1-unread-ko.png") });

    await first.click(`[part="item"][data-notification-id="${firstId}"] [part="item-button"]`);
    await waitForBadge(first, 0);
    expect((await rows(first))[0]?.read).toBe("true");
    await eventually(async () => {
      const inbox = await serverInbox();
      expect(inbox.unreadCount).toBe(0);
      expect(inbox.items[0]?.readAt).toEqual(expect.any(String));
    });
  });

  it("after a cut connection, the two notifications published meanwhile appear once each and the badge is 2", async () => {
    const before = proxy.streamRequests();
    await proxy.cut();
    const missed = [subscriptionExpiring(USER, "Basic"), subscriptionExpiring(USER, "Team")];
    await publisher.publish(missed.map((e) => [e, "structured"] as const));
    // Both in the server's inbox while the browser cannot reach it: what it gets is a replay.
    const inbox = await eventually(async () => {
      const answer = await serverInbox();
      expect(answer.items, logHint()).toHaveLength(3);
      return answer;
    });
    await waitForRoot(first, '[data-stream="waiting"]');
    await proxy.restore();

    await waitForBadge(first, 2, 45_000);
    await waitForRoot(first, '[data-stream="open"]', 45_000);
    const ids = (await rows(first)).map((row) => row.id);
    expect(ids).toEqual(inbox.items.map((item) => item.notificationId));
    expect(new Set(ids).size).toBe(3);
    expect(await first.locator('[part="item"][data-read="false"]').count()).toBe(2);
    // A new token for the new connection: the used one was never offered again (no 401).
    expect(proxy.streamRequests()).toBeGreaterThan(before);
    expect(proxy.openStreams()).toBe(1);
    expect(problems).toEqual([]);
  });

  it("a second tab of the same browser follows the first's stream: one connection for both", async () => {
    const requests = proxy.streamRequests();
    const second = await openTab("tab 2");
    await waitForRoot(second, '[data-role="follower"]');
    await waitForBadge(second, 2);
    await openPanel(second);
    await eventually(async () => expect(await rows(second)).toHaveLength(3));

    const next = subscriptionExpiring(USER, "Enterprise");
    await publisher.publish([[next, "structured"]]);
    await waitForBadge(first, 3, 15_000);
    await waitForBadge(second, 3, 15_000);
    await eventually(async () => expect(await rows(second)).toHaveLength(4));
    expect([proxy.streamRequests() - requests, proxy.openStreams()]).toEqual([0, 1]);
    expect(await second.getAttribute('[part="root"]', "data-stream")).toBe("idle");

    // A read in the second tab: the server's count reaches the first through the stream.
    const [newest] = await rows(second);
    await second.click(`[part="item"][data-notification-id="${newest?.id}"] [part="item-button"]`);
    await waitForBadge(second, 2);
    await waitForBadge(first, 2);
    await eventually(async () =>
      expect((await rows(first)).find((row) => row.id === newest?.id)?.read).toBe("true"),
    );

    // The leader goes: the follower takes the lock and the stream over, where it left off.
    await first.close();
    await waitForRoot(second, '[data-role="leader"][data-stream="open"]');
    await eventually(() => expect([proxy.streamRequests() - requests, proxy.openStreams()]).toEqual([1, 1]));
    const last = subscriptionExpiring(USER, "Family");
    await publisher.publish([[last, "structured"]]);
    await waitForBadge(second, 3, 15_000);
    const ids = (await rows(second)).map((row) => row.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toEqual((await serverInbox()).items.map((item) => item.notificationId));

    // In Korean (the demo's switch sets the component's locale), then in English.
    await second.selectOption("#locale", "ko");
    await openPanel(second);
    expect(await second.locator('[part="heading"]').textContent()).toBe("알림");
    expect(await second.locator('[part="mark-all"]').textContent()).toBe("모두 읽음");
    await second.screenshot({ path: join(ARTIFACTS, "2-two-tabs-ko.png") });
    await second.selectOption("#locale", "en");
    expect(await second.locator('[part="heading"]').textContent()).toBe("Notifications");
    await second.screenshot({ path: join(ARTIFACTS, "3-two-tabs-en.png") });

    // Mark all read: the server agrees.
    await second.click('[part="mark-all"]');
    await waitForBadge(second, 0);
    await eventually(async () => expect((await serverInbox()).unreadCount).toBe(0));
    expect(await second.locator('[part="item"][data-read="false"]').count()).toBe(0);

    expect(await second.evaluate("window.cspViolations")).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe("the inbox embedded on another site", () => {
  it("works cross-origin under the site's strict CSP, with its token from a provider, never in the DOM", async () => {
    const userId = "jun";
    await api.putSettings(userId, { email: null, locale: "en" });
    const junToken = await api.userToken(userId);
    const junInbox = async () => {
      const answer = await api.raw<InboxAnswer>("GET", `${QUERY_API}/api/v1/notifications/inbox`, junToken);
      return answer.body;
    };
    await publisher.publish([[subscriptionExpiring(userId, "Starter"), "structured"]]);
    await eventually(async () => expect((await junInbox()).items, logHint()).toHaveLength(1));

    const shop = await startShopSite({ port: E2E.shopPort, api: QUERY_API, token: junToken });
    const shopContext = await browser.newContext({ locale: "en-US", viewport: { width: 900, height: 600 } });
    try {
      const tab = await watched(shopContext, "shop");
      await tab.goto(`${shop.origin}/`, { waitUntil: "load" });
      await waitForRoot(tab, '[data-role="leader"][data-stream="open"]');
      await waitForBadge(tab, 1);
      expect(shop.tokenRequests()).toBeGreaterThan(0);

      // Live across origins: the stream (EventSource with CORS) brings the next one.
      await publisher.publish([[subscriptionExpiring(userId, "Plus"), "structured"]]);
      await waitForBadge(tab, 2, 15_000);
      await tab.click('[part="bell"]');
      await eventually(async () => expect(await rows(tab)).toHaveLength(2));
      const [newest] = await rows(tab);
      expect(newest).toMatchObject({ read: "false", title: "Subscription expiring soon" });
      expect(await tab.locator('[part="heading"]').textContent()).toBe("Notifications");
      await tab.click(`[part="item"][data-notification-id="${newest?.id}"] [part="item-button"]`);
      await waitForBadge(tab, 1);
      await eventually(async () => {
        const read = (await junInbox()).items.find((item) => item.notificationId === newest?.id);
        expect(read?.readAt).toEqual(expect.any(String));
      });

      // Styled although the site allows no inline style: a constructed stylesheet.
      expect(
        await tab.evaluate(
          `getComputedStyle(document.querySelector("fluxnotify-inbox").shadowRoot.querySelector('[part="badge"]')).backgroundColor`,
        ),
      ).toBe("rgb(220, 38, 38)");
      // The token is a property: no attribute, nothing in the serialized page.
      expect(
        await tab.evaluate(
          `(document.documentElement.outerHTML + document.querySelector("fluxnotify-inbox").shadowRoot.innerHTML).includes(${JSON.stringify(junToken)})`,
        ),
      ).toBe(false);
      await tab.screenshot({ path: join(ARTIFACTS, "4-shop-en.png") });
      expect(await tab.evaluate("window.cspViolations")).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await shopContext.close();
      await shop.close();
    }
  });
});
