import { runInNewContext, Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { PAGE_JS } from "../src/push-site/page";
import { SERVICE_WORKER_JS } from "../src/push-site/service-worker";

type Listener = (event: unknown) => void;

/**
 * /push/sw.js in a context of its own, with a fake ServiceWorkerGlobalScope: what it hands
 * to showNotification, openWindow and focus is recorded. Only what a worker has is given:
 * `self`, URL (everything else it uses is plain JavaScript).
 */
function loadWorker(windows: Array<{ url: string }> = [], origin = "https://shop.example") {
  const listeners = new Map<string, Listener>();
  const shown: Array<[string, Record<string, unknown>]> = [];
  const opened: string[] = [];
  const focused: string[] = [];
  const clients = windows.map((client) => ({
    url: client.url,
    focus: async () => {
      focused.push(client.url);
      return client;
    },
  }));
  const self = {
    location: { origin },
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    skipWaiting: () => {},
    registration: {
      showNotification: async (title: string, options: Record<string, unknown>) => {
        shown.push([title, options]);
      },
    },
    clients: {
      claim: async () => {},
      matchAll: async (options: unknown) => {
        expect(options).toEqual({ type: "window", includeUncontrolled: true });
        return clients;
      },
      openWindow: async (url: string) => {
        opened.push(url);
        return null;
      },
    },
  };
  runInNewContext(SERVICE_WORKER_JS, { self, URL }, { filename: "sw.js" });

  /** Dispatches an event to the worker and waits for what it handed to waitUntil. */
  const dispatch = async (type: string, event: Record<string, unknown>) => {
    const pending: Promise<unknown>[] = [];
    const listener = listeners.get(type);
    if (!listener) throw new Error(`no ${type} listener`);
    listener({ ...event, waitUntil: (promise: Promise<unknown>) => pending.push(promise) });
    await Promise.all(pending);
  };
  const push = (data: string | null) =>
    dispatch("push", { data: data === null ? null : { text: () => data } });
  const closed: string[] = [];
  const click = (data: unknown) =>
    dispatch("notificationclick", { notification: { data, close: () => closed.push("closed") } });
  return { listeners, shown, opened, focused, closed, push, click };
}

/** A template literal's placeholder, as text: it must reach the notification as it is. */
const PLACEHOLDER = ["$", "{globalThis.pwned = 1}"].join("");

const payload = {
  notificationId: "ntf-0f3c",
  eventType: "com.fluxpay.payment.approved",
  title: "결제 완료",
  body: "15,000.00 KRW 결제가 완료되었습니다.",
  createdAt: "2026-02-04T10:30:00.123Z",
  data: { orderId: "5b7a", amount: "15000.00" },
  url: "https://shop.example/orders/5b7a",
};

describe("the service worker (/push/sw.js)", () => {
  it("listens for install, activate, push and notificationclick", () => {
    expect([...loadWorker().listeners.keys()].sort()).toEqual([
      "activate",
      "install",
      "notificationclick",
      "push",
    ]);
  });

  it("shows a §5 payload: title, body, tag = notificationId, the payload as data, its time", async () => {
    const worker = loadWorker();
    await worker.push(JSON.stringify(payload));
    expect(worker.shown).toEqual([
      [
        "결제 완료",
        {
          body: "15,000.00 KRW 결제가 완료되었습니다.",
          tag: "ntf-0f3c",
          data: payload,
          timestamp: Date.parse("2026-02-04T10:30:00.123Z"),
        },
      ],
    ]);
  });

  it("still shows something for a push it cannot read (browsers require a visible notification)", async () => {
    for (const data of [
      null,
      "",
      "not json",
      "[1,2]",
      "null",
      '"text"',
      JSON.stringify({ title: 7, body: {} }),
    ]) {
      const worker = loadWorker();
      await worker.push(data);
      expect(worker.shown.length, String(data)).toBe(1);
      const [title, options] = worker.shown[0] as [string, Record<string, unknown>];
      expect(title).toBe("New notification");
      expect(options.body).toBe("");
      expect(options.tag).toBeUndefined();
      expect(options.timestamp).toBeUndefined();
    }
  });

  it("hands markup and script in a payload over as text, never running it", async () => {
    const worker = loadWorker();
    const hostile = {
      ...payload,
      title: "<img src=x onerror=alert(1)>",
      body: PLACEHOLDER,
      createdAt: "yesterday",
    };
    await worker.push(JSON.stringify(hostile));
    expect(worker.shown[0]?.[0]).toBe("<img src=x onerror=alert(1)>");
    expect(worker.shown[0]?.[1]).toMatchObject({ body: PLACEHOLDER, tag: "ntf-0f3c" });
    expect(worker.shown[0]?.[1]).not.toHaveProperty("timestamp");
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
    expect(SERVICE_WORKER_JS).not.toMatch(
      /\beval\b|new Function|importScripts|innerHTML|setTimeout\(\s*["']/,
    );
  });

  it("a click focuses a window already showing the URL, or opens it", async () => {
    const open = loadWorker([{ url: "https://shop.example/" }, { url: payload.url }]);
    await open.click(payload);
    expect(open.closed).toEqual(["closed"]);
    expect(open.focused).toEqual([payload.url]);
    expect(open.opened).toEqual([]);

    const none = loadWorker([{ url: "https://shop.example/" }]);
    await none.click(payload);
    expect(none.opened).toEqual([payload.url]);
    expect(none.focused).toEqual([]);

    // Relative URLs are this origin's.
    const relative = loadWorker();
    await relative.click({ ...payload, url: "/orders/5b7a?tab=receipt" });
    expect(relative.opened).toEqual(["https://shop.example/orders/5b7a?tab=receipt"]);
  });

  it("a click never opens anything but an http(s) URL; without one it focuses one of the site's windows", async () => {
    for (const url of [
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      42,
      "",
    ]) {
      const worker = loadWorker([{ url: "https://shop.example/account" }]);
      await worker.click({ ...payload, url });
      expect(worker.opened, String(url)).toEqual([]);
      expect(worker.focused, String(url)).toEqual(["https://shop.example/account"]);
    }
    const nothing = loadWorker();
    await nothing.click(null);
    await nothing.click("a string");
    expect(nothing.opened).toEqual([]);
    expect(nothing.closed).toEqual(["closed", "closed"]);
  });
});

describe("the example page's script (/push/app.js)", () => {
  it("is valid JavaScript that writes no markup and evaluates nothing", () => {
    expect(() => new Script(PAGE_JS, { filename: "app.js" })).not.toThrow();
    expect(PAGE_JS).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\b|new Function/,
    );
    expect(PAGE_JS).toContain("textContent");
  });
});
