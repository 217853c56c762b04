import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  path: string;
  at: number;
  body: Record<string, unknown>;
}

type Reply = { status: number; headers?: Record<string, string>; body?: string };

/**
 * A real HTTP server on loopback standing in for Slack's incoming webhooks. `script` maps a
 * path to the replies of its successive requests (the last one repeats).
 */
export async function startWebhookServer(script: Record<string, Reply[]> = {}, port = 0) {
  const requests: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  let connections = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      raw += chunk;
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      requests.push({ path, at: Date.now(), body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const replies = script[path] ?? [{ status: 200, body: "ok" }];
      const reply = replies[Math.min(n, replies.length - 1)] ?? { status: 200, body: "ok" };
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    requests,
    get connections() {
      return connections;
    },
    url: (path: string) => `http://127.0.0.1:${actualPort}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
