import { connect, createServer, type Server, type Socket } from "node:net";

/** The request line of a browser opening the inbox's event stream. */
const STREAM_REQUEST = /(?:^|\r\n)GET \/api\/v1\/notifications\/stream[?\s]/;

export interface TcpProxy {
  port: number;
  origin: string;
  /** Stream requests seen since the proxy was made (across restarts). */
  streamRequests(): number;
  /** Connections carrying a stream that are open now. */
  openStreams(): number;
  /** As a network outage looks to the browser: every connection dropped, nothing listening. */
  cut(): Promise<void>;
  /** Listening again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A plain TCP proxy in front of an app, so a test can cut a browser's connections as a
 * network would (no HTTP semantics: the app closes nothing, the sockets just die). It looks
 * into what the browser sends only to count the event-stream requests: one HTTP/1.1
 * connection carries a stream for as long as it is open.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const streams = new Set<Socket>();
  let requests = 0;
  let server: Server | undefined;
  let port = 0;

  const accept = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let tail = "";
    client.on("data", (chunk: Buffer) => {
      // A request line split across two reads is still seen: keep the last bytes of each.
      const text = tail + chunk.toString("latin1");
      const found = text.match(new RegExp(STREAM_REQUEST, "g"))?.length ?? 0;
      if (found > 0) {
        requests += found;
        streams.add(client);
      }
      tail = text.slice(-64);
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      streams.delete(client);
    };
    for (const socket of [client, upstream]) {
      socket.on("error", drop);
      socket.on("close", drop);
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(accept);
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        const address = next.address();
        if (address && typeof address === "object") port = address.port;
        server = next;
        resolve();
      });
    });

  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    streamRequests: () => requests,
    openStreams: () => streams.size,
    cut,
    restore: listen,
    close: cut,
  };
}
