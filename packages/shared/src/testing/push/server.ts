import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTP server that can stop listening and come back on the same port, for
 * "provider down" tests: while stopped, connections are refused (ECONNREFUSED).
 */
export interface RestartableServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** TCP connections accepted so far (a refused URL must not even connect). */
  readonly connections: number;
  readonly listening: boolean;
  /** Stops listening and drops open connections; the port is kept for `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartable(handler: RequestListener, port = 0): Promise<RestartableServer> {
  let connections = 0;
  let listening = false;
  const server: Server = createServer(handler);
  server.on("connection", () => {
    connections++;
  });
  const listen = (on: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(on, "127.0.0.1", () => {
        server.off("error", reject);
        listening = true;
        resolve();
      });
    });
  await listen(port);
  const actualPort = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    port: actualPort,
    origin: `http://127.0.0.1:${actualPort}`,
    get connections() {
      return connections;
    },
    get listening() {
      return listening;
    },
    stop,
    start: () => (listening ? Promise.resolve() : listen(actualPort)),
    close: stop,
  };
}

/** The request body, up to `limit` bytes (more → `tooLarge`, the rest is drained). */
export async function readBody(
  req: IncomingMessage,
  limit = 1024 * 1024,
): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), tooLarge: size > limit };
}
