import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { answerClientErrorsAsProblems } from "./client-error";

export interface ServerTimeouts {
  /** A client must have sent the request's headers within this, or gets 408 and a closed socket. */
  headersTimeoutMs?: number;
  /** ... and the whole request, body included (not the response: streams may run long). */
  requestTimeoutMs?: number;
}

// Node's own defaults (60 s / 300 s) let a client hold a socket for minutes by sending one
// header byte at a time; our requests are small JSON documents sent at once.
export const DEFAULT_SERVER_TIMEOUTS: Required<ServerTimeouts> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, closes idle keep-alive sockets and resolves once in-flight requests end. */
  close(): Promise<void>;
}

/** Every HTTP server we run (APIs and workers' health ports) goes through here. */
export async function startServer(
  handler: RequestListener,
  options: { port: number; host?: string; timeouts?: ServerTimeouts },
): Promise<RunningServer> {
  const { headersTimeoutMs, requestTimeoutMs } = { ...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts };
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node enforces both timeouts only when it sweeps connections (every 30 s by default),
      // which would stretch a 10 s bound to 40 s; sweep often enough to hold it.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
    },
    handler,
  );
  server.keepAliveTimeout = 5_000;
  answerClientErrorsAsProblems(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
