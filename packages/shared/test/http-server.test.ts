import { connect } from "node:net";
import { Gauge } from "prom-client";
import { describe, expect, it } from "vitest";
import { createHttpApp, listen, type ServerTimeouts, startHealthServer } from "../src/http/index";
import { createLogger } from "../src/logger";
import { createMetricsRegistry } from "../src/metrics";
import { captureLogs } from "../src/testing/logs";

// Short bounds so the test waits well under a second per socket; production uses 10 s / 30 s.
const timeouts: ServerTimeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600 };
// Far above the bound (and the node sweep interval), far below node's own 60 s default.
const GIVE_UP_MS = 5_000;

const silent = () => createLogger({ name: "t", level: "silent" });

async function startApi() {
  const { app, health } = createHttpApp({
    name: "t",
    logger: silent(),
    registry: createMetricsRegistry("t"),
    checks: {},
    auth: { jwtSecret: "server-test-secret-at-least-32-bytes!" },
    routes: [],
  });
  health.setStarted(true);
  return listen(app, 0, "127.0.0.1", timeouts);
}

/**
 * Writes `bytes` and never more; resolves with what the server answered once it closes the
 * socket, or with `null` if it still holds it open after GIVE_UP_MS.
 */
function sendAndWait(port: number, bytes: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let answer = "";
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, GIVE_UP_MS);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(giveUp);
      resolve(answer);
    });
  });
}

const PARTIAL_HEADERS = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
const PARTIAL_BODY =
  "POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";

describe("server timeouts", () => {
  it("API servers close slow-header and slow-body sockets with 408", async () => {
    const server = await startApi();
    try {
      const [headers, body] = await Promise.all([
        sendAndWait(server.port, PARTIAL_HEADERS),
        sendAndWait(server.port, PARTIAL_BODY),
      ]);
      expect(headers).toMatch(/^HTTP\/1\.1 408 /);
      expect(body).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  });

  it("worker health servers close slow-header sockets with 408", async () => {
    const health = await startHealthServer({
      port: 0,
      host: "127.0.0.1",
      registry: createMetricsRegistry("t"),
      checks: {},
      logger: silent(),
      timeouts,
    });
    try {
      expect(await sendAndWait(health.port, PARTIAL_HEADERS)).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await health.close();
    }
  });
});

describe("health server errors", () => {
  it("answers an unknown path and a failing endpoint with problem+json", async () => {
    const registry = createMetricsRegistry("t");
    const logs = captureLogs("health");
    const health = await startHealthServer({
      port: 0,
      host: "127.0.0.1",
      registry,
      checks: {},
      logger: logs.logger,
    });
    const base = `http://127.0.0.1:${health.port}`;
    try {
      const missing = await fetch(`${base}/nowhere?x=1`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toBe("application/problem+json");
      expect(await missing.json()).toEqual({
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: "no route for GET /nowhere; this port serves /healthz, /readyz, /metrics",
      });

      // A collector that throws makes the registry (and so /metrics) fail for real.
      new Gauge({
        name: "broken_gauge",
        help: "fails on collect",
        registers: [registry],
        collect() {
          throw new Error("collector broke");
        },
      });
      const failing = await fetch(`${base}/metrics`);
      expect(failing.status).toBe(500);
      expect(failing.headers.get("content-type")).toBe("application/problem+json");
      expect(await failing.json()).toEqual({
        type: "about:blank",
        title: "Internal Server Error",
        status: 500,
        detail: "/metrics failed",
      });
      expect(logs.entries()).toContainEqual(
        expect.objectContaining({
          msg: "health endpoint failed",
          err: expect.objectContaining({ message: "collector broke" }),
        }),
      );
    } finally {
      await health.close();
    }
  });
});
