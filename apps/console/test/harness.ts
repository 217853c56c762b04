import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevTokenSigner } from "@fluxnotify/shared/dev-token";
import { listen, type RunningServer } from "@fluxnotify/shared/http";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { captureLogs } from "@fluxnotify/shared/testing";
import { createConsoleApp } from "../src/server/app";

/** What an upstream saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface Upstream {
  url: string;
  seen: Seen[];
  /** How the next requests are answered; default: 200 JSON naming the upstream. */
  handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
  close(): Promise<void>;
}

/** A real HTTP server standing in for query-api or dlq-admin, recording what reached it. */
export async function startUpstream(name: string): Promise<Upstream> {
  const seen: Seen[] = [];
  const upstream: Upstream = {
    url: "",
    seen,
    handle: (req, res) => {
      if (req.url === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ upstream: name }));
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.url !== "/healthz")
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      upstream.handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}

/** A port nothing listens on (taken and released at once). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A built web app in miniature: what Vite writes into dist/public. */
export function webFixture(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "console-web-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dir, "assets", "index-abc123.js"), 'console.log("console");');
  writeFileSync(join(dir, "assets", "index-abc123.css"), "body { margin: 0 }");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ConsoleUnderTest {
  base: string;
  logs: ReturnType<typeof captureLogs>;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startConsole(options: {
  queryApi: string;
  dlqAdmin: string;
  webDir: string;
  devTokens?: DevTokenSigner;
  proxy?: Partial<{ timeoutMs: number; connectTimeoutMs: number; idleTimeoutMs: number }>;
}): Promise<ConsoleUnderTest> {
  const logs = captureLogs("console");
  const { app, health } = createConsoleApp({
    logger: logs.logger,
    registry: createMetricsRegistry("console"),
    upstreams: {
      queryApi: { name: "query-api", base: new URL(options.queryApi) },
      dlqAdmin: { name: "dlq-admin", base: new URL(options.dlqAdmin) },
    },
    proxy: { timeoutMs: 5_000, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000, ...options.proxy },
    webDir: options.webDir,
    devTokens: options.devTokens,
  });
  health.setStarted(true);
  const server = await listen(app, 0, "127.0.0.1");
  return { base: `http://127.0.0.1:${server.port}`, logs, server, close: () => server.close() };
}
