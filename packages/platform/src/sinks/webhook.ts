import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedPost {
  path: string;
  /** Parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Epoch milliseconds of receipt. */
  at: number;
}

export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WebhookSink {
  readonly port: number;
  url(path: string): string;
  /** Every request answered 2xx, in arrival order (kept across close/reopen). */
  readonly received: ReceivedPost[];
  /** Every request, whatever the answer (for counting refused attempts). */
  readonly attempts: ReceivedPost[];
  /** Scripts the answer (e.g. 429 with Retry-After, 500); undefined = 200 "ok" like Slack. */
  respondWith(reply: ((post: ReceivedPost) => WebhookReply) | undefined): void;
  close(): Promise<void>;
  reopen(): Promise<void>;
  isOpen(): boolean;
  stop(): Promise<void>;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A recording stand-in for Slack's incoming-webhook host, on loopback over plain http. */
export async function startWebhookSink(options: { port?: number } = {}): Promise<WebhookSink> {
  const received: ReceivedPost[] = [];
  const attempts: ReceivedPost[] = [];
  let respond: ((post: ReceivedPost) => WebhookReply) | undefined;
  let port = options.port ?? 0;
  let server: Server | undefined;

  const create = () =>
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      // A client killed mid-request (SIGKILLed slack worker) must not crash the recorder.
      req.on("error", () => {});
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const post = {
          path: req.url ?? "/",
          body: parseBody(Buffer.concat(chunks).toString("utf8")),
          headers: req.headers,
          at: Date.now(),
        };
        attempts.push(post);
        const reply = respond?.(post) ?? { status: 200, body: "ok" };
        if (reply.status >= 200 && reply.status < 300) received.push(post);
        res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers }).end(reply.body ?? "");
      });
    });

  const open = async () => {
    const next = create();
    next.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, fail) => {
      next.once("error", fail);
      next.listen(port, "127.0.0.1", () => {
        next.off("error", fail);
        resolve();
      });
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const close = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    current.closeAllConnections();
    await closed;
  };

  await open();
  return {
    get port() {
      return port;
    },
    url: (path) => `http://127.0.0.1:${port}${path.startsWith("/") ? path : `/${path}`}`,
    received,
    attempts,
    respondWith(reply) {
      respond = reply;
    },
    close,
    async reopen() {
      if (!server) await open();
    },
    isOpen: () => server !== undefined,
    stop: close,
  };
}
