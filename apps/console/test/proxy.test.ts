import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { signToken } from "@fluxnotify/shared/dev-token";
import { DEV_ONLY_JWT_SECRET } from "@fluxnotify/shared/env";
import { leaks } from "@fluxnotify/shared/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONSOLE_CSP } from "../src/server/headers";
import {
  type ConsoleUnderTest,
  closedPort,
  startConsole,
  startUpstream,
  type Upstream,
  webFixture,
} from "./harness";

/**
 * The same-origin proxy against real HTTP upstreams: what reaches them (method, path, query,
 * Authorization, the body's exact bytes; no cookie), what comes back (status, headers,
 * streamed bodies), and the bounded failures (down → 502, silent → 504), without a token
 * ever in a log line.
 */
describe("the console's proxy", () => {
  const web = webFixture();
  let queryApi: Upstream;
  let dlqAdmin: Upstream;
  let consoleApp: ConsoleUnderTest;
  let token: string;

  beforeAll(async () => {
    [queryApi, dlqAdmin] = await Promise.all([startUpstream("query-api"), startUpstream("dlq-admin")]);
    consoleApp = await startConsole({
      queryApi: queryApi.url,
      dlqAdmin: dlqAdmin.url,
      webDir: web.dir,
      proxy: { timeoutMs: 800, idleTimeoutMs: 1_500 },
    });
    token = await signToken(DEV_ONLY_JWT_SECRET, { userId: "ops", tenantId: "tenant-a", roles: ["admin"] });
  });
  afterAll(async () => {
    await consoleApp.close();
    await Promise.all([queryApi.close(), dlqAdmin.close()]);
    web.remove();
  });
  beforeEach(() => {
    for (const upstream of [queryApi, dlqAdmin]) {
      upstream.seen.length = 0;
      upstream.handle = (req, res) =>
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url }));
    }
  });

  it.each([
    ["/api/v1/admin/dlq?status=PENDING&tenant=t%20a", "dlq-admin"],
    ["/api/v1/admin/dlq", "dlq-admin"],
    ["/api/v1/admin/dlq/42", "dlq-admin"],
    ["/api/v1/admin/dlq/summary?tenant=x", "dlq-admin"],
    ["/api/v1/dashboard/delivery?from=2026-05-01&to=2026-05-07", "query-api"],
    ["/api/v1/notifications?userId=user-1", "query-api"],
    // Only /api/v1/admin/dlq and below belong to dlq-admin, not every path that starts so.
    ["/api/v1/admin/dlqs", "query-api"],
  ])("%s goes to %s, path and query as they came, with the Authorization header", async (path, name) => {
    const response = await fetch(`${consoleApp.base}${path}`, {
      headers: { authorization: `Bearer ${token}`, cookie: "session=abc", "x-request-id": "req-1" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path });
    const upstream = name === "dlq-admin" ? dlqAdmin : queryApi;
    const other = name === "dlq-admin" ? queryApi : dlqAdmin;
    expect(other.seen).toEqual([]);
    const [seen] = upstream.seen;
    expect(seen?.url).toBe(path);
    expect(seen?.headers.authorization).toBe(`Bearer ${token}`);
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers["x-request-id"]).toBe("req-1");
    expect(seen?.headers["x-forwarded-for"]).toMatch(/127\.0\.0\.1/);
    expect(seen?.headers["x-forwarded-proto"]).toBe("http");
    // The console's own policy on every answer, not the upstream's.
    expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
  });

  it("passes a body through byte for byte, and the upstream's status and headers back", async () => {
    dlqAdmin.handle = (_req, res) =>
      res
        .writeHead(409, {
          "content-type": "application/problem+json",
          "content-security-policy": "default-src 'none'",
          "www-authenticate": 'Bearer realm="fluxnotify"',
          "x-value-sha256": "abc",
        })
        .end('{"status":409,"detail":"resolved"}');
    // Key order, spacing and a number's digits stay as sent: the proxy never parses bodies.
    const body = '{"channel":"EMAIL",  "amount": 15000.00, "note":"한국어"}';
    const response = await fetch(`${consoleApp.base}/api/v1/admin/dlq/retry-all`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="fluxnotify"');
    expect(response.headers.get("x-value-sha256")).toBe("abc");
    expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    expect(await response.json()).toEqual({ status: 409, detail: "resolved" });
    const [seen] = dlqAdmin.seen;
    expect([seen?.method, seen?.headers["content-type"]]).toEqual(["POST", "application/json"]);
    expect(seen?.body.toString("utf8")).toBe(body);
  });

  it("streams an answer: the first part arrives before the upstream has written the rest", async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    queryApi.handle = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: unread\ndata: 1\n\n");
      void released.then(() => res.end("event: unread\ndata: 2\n\n"));
    };
    const response = await fetch(`${consoleApp.base}/api/v1/notifications/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("event: unread\ndata: 1\n\n");
    release();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe("event: unread\ndata: 2\n\n");
  });

  it("answers 504 when the upstream sends no headers in time, and cuts off an idle answer", async () => {
    queryApi.handle = () => {}; // never answers
    const started = Date.now();
    const response = await fetch(`${consoleApp.base}/api/v1/dashboard/delivery`);
    expect(response.status).toBe(504);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { detail: string }).detail).toMatch(
      /query-api did not answer within 800 ms/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);

    queryApi.handle = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": hello\n\n"); // then nothing, for longer than the idle bound
    };
    const idle = await fetch(`${consoleApp.base}/api/v1/notifications/stream`);
    expect(idle.status).toBe(200);
    await expect(idle.text()).rejects.toThrow();
  });

  it("stops the upstream request when the browser goes away", async () => {
    let closed = false;
    queryApi.handle = (req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": open\n\n");
      req.socket.on("close", () => {
        closed = true;
      });
    };
    await new Promise<void>((resolve, reject) => {
      const outgoing = request(`${consoleApp.base}/api/v1/notifications/stream`, (response) => {
        response.once("data", () => {
          outgoing.destroy();
          resolve();
        });
      });
      outgoing.on("error", () => {});
      outgoing.on("close", resolve);
      setTimeout(() => reject(new Error("no first chunk")), 2_000);
      outgoing.end();
    });
    for (let waited = 0; !closed && waited < 2_000; waited += 50) await sleep(50);
    expect(closed).toBe(true);
  });

  it("refuses dot segments (an upstream behind another proxy might resolve them)", async () => {
    for (const path of ["/api/v1/../metrics", "/api/v1/%2e%2e/metrics", "/api/v1/admin/dlq/./x"]) {
      const response = await new Promise<number>((resolve, reject) => {
        // A URL (fetch's, or request's given one) would be normalised before it is sent.
        const { hostname, port } = new URL(consoleApp.base);
        const outgoing = request({ host: hostname, port, path }, (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        });
        outgoing.on("error", reject);
        outgoing.end();
      });
      expect(response, path).toBe(400);
    }
    expect([...queryApi.seen, ...dlqAdmin.seen]).toEqual([]);
  });

  it("answers 502 problem+json naming the upstream when it is down, and never logs the token", async () => {
    const down = await closedPort();
    const lonely = await startConsole({
      queryApi: `http://127.0.0.1:${down}`,
      dlqAdmin: `http://127.0.0.1:${down}`,
      webDir: web.dir,
    });
    try {
      for (const path of ["/api/v1/dashboard/delivery", "/api/v1/admin/dlq"]) {
        const response = await fetch(`${lonely.base}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(502);
        expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        const problem = (await response.json()) as { detail: string };
        expect(problem.detail).toBe(`${path.includes("dlq") ? "dlq-admin" : "query-api"} is not reachable`);
      }
      const ready = await fetch(`${lonely.base}/readyz`);
      expect(ready.status).toBe(503);
      const metrics = await (await fetch(`${lonely.base}/metrics`)).text();
      expect(metrics).toMatch(
        /console_proxy_errors_total\{[^}]*upstream="query-api",reason="unreachable"[^}]*\} 1/,
      );
      const logged = lonely.logs.lines.join("\n");
      expect(logged).toMatch(/upstream did not answer/);
      expect(leaks(logged, [token])).toEqual([]);
    } finally {
      await lonely.close();
    }
    expect(leaks(consoleApp.logs.lines.join("\n"), [token])).toEqual([]);
  });
});
