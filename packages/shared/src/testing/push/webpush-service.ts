import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type BrowserKeys,
  type BrowserSubscription,
  DecryptError,
  decryptPushMessage,
  newBrowserSubscription,
} from "./ece";
import { type RestartableServer, readBody, startRestartable } from "./server";
import { type VapidClaims, VapidError, verifyVapid } from "./vapid";

/** A scripted answer to one push request (after VAPID and the body passed every check). */
export interface PushReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** One push request that passed every check, and what the stand-in answered. */
export interface ReceivedPush {
  path: string;
  endpoint: string;
  at: number;
  status: number;
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  vapid: VapidClaims;
  /** The decrypted plaintext, and parsed as JSON where it is JSON. */
  text: string;
  payload: unknown;
  /** Size of the encrypted body. */
  bytes: number;
}

/** A request the stand-in refused on its own (not a scripted answer): why, for test failures. */
export interface RejectedPush {
  path: string;
  status: number;
  reason: string;
}

export interface WebPushService extends RestartableServer {
  /** Every request that passed the checks, scripted failures included. */
  readonly received: ReceivedPush[];
  /** Those answered 2xx: what a browser would show. */
  accepted(): ReceivedPush[];
  readonly rejected: RejectedPush[];
  /**
   * A subscription as a browser makes one, its endpoint under `endpointBase` (default this
   * stand-in's /push); the stand-in keeps the private key and decrypts what is sent to it.
   */
  createBrowserSubscription(endpointBase?: string): BrowserSubscription;
  /** Answers for the endpoint's next requests, in order; once used up, 201 again. */
  script(endpoint: string, replies: PushReply[]): void;
}

const URGENCIES = new Set(["very-low", "low", "normal", "high"]);
/** RFC 8030 §7.2: a push service must accept 4096 bytes of body; this one accepts no more. */
export const MAX_PUSH_BODY_BYTES = 4096;

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A Web Push service (RFC 8030) on 127.0.0.1 that checks what a real one checks, and more:
 * VAPID (RFC 8292) → 401 when wrong; `Content-Encoding: aes128gcm`, a TTL, valid Urgency and
 * Topic, and a body it can decrypt with the subscription's keys (RFC 8291) → 400 when not;
 * more than 4096 bytes → 413; an endpoint it never issued → 404. A broken sender fails loudly.
 */
export async function startWebPushService(
  options: { port?: number; vapidPublicKey?: string } = {},
): Promise<WebPushService> {
  const subscriptions = new Map<string, { endpoint: string; keys: BrowserKeys }>();
  const scripts = new Map<string, PushReply[]>();
  const received: ReceivedPush[] = [];
  const rejected: RejectedPush[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const { body, tooLarge } = await readBody(req, MAX_PUSH_BODY_BYTES);
    try {
      if (req.method !== "POST" || !path.startsWith("/push/")) throw new Refused(404, "not a push endpoint");
      const subscription = subscriptions.get(path);
      if (!subscription) throw new Refused(404, "no such subscription");
      let vapid: VapidClaims;
      try {
        vapid = await verifyVapid(
          req.headers.authorization,
          `http://${req.headers.host}`,
          options.vapidPublicKey,
        );
      } catch (error) {
        if (error instanceof VapidError) throw new Refused(401, `VAPID: ${error.message}`);
        throw error;
      }
      if (tooLarge) throw new Refused(413, `body over ${MAX_PUSH_BODY_BYTES} bytes`);
      const ttl = req.headers.ttl;
      if (typeof ttl !== "string" || !/^\d+$/.test(ttl))
        throw new Refused(400, "TTL header missing or invalid");
      const urgency = req.headers.urgency as string | undefined;
      if (urgency !== undefined && !URGENCIES.has(urgency))
        throw new Refused(400, `Urgency ${urgency} invalid`);
      const topic = req.headers.topic as string | undefined;
      if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic))
        throw new Refused(400, "Topic must be at most 32 base64url characters");
      if (req.headers["content-encoding"] !== "aes128gcm")
        throw new Refused(400, "Content-Encoding must be aes128gcm");
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(decryptPushMessage(body, subscription.keys));
      } catch (error) {
        if (error instanceof DecryptError) throw new Refused(400, `undecryptable: ${error.message}`);
        if (error instanceof TypeError) throw new Refused(400, "plaintext is not UTF-8");
        throw error;
      }
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {}
      const reply = scripts.get(path)?.shift() ?? { status: 201 };
      received.push({
        path,
        endpoint: subscription.endpoint,
        at: Date.now(),
        status: reply.status,
        ttl: Number(ttl),
        urgency,
        topic,
        vapid,
        text,
        payload,
        bytes: body.length,
      });
      const location = reply.status === 201 ? { location: `/m/${randomUUID()}` } : {};
      res.writeHead(reply.status, { "content-type": "text/plain", ...location, ...reply.headers });
      res.end(reply.body ?? "");
    } catch (error) {
      const status = error instanceof Refused ? error.status : 500;
      rejected.push({ path, status, reason: (error as Error).message });
      res.writeHead(status, { "content-type": "text/plain" });
      res.end((error as Error).message);
    }
  }

  const server = await startRestartable((req, res) => void handle(req, res), options.port);
  return Object.assign(server, {
    received,
    rejected,
    accepted: () => received.filter((push) => push.status >= 200 && push.status < 300),
    createBrowserSubscription(endpointBase = `${server.origin}/push`) {
      const { subscription, keys } = newBrowserSubscription(`${endpointBase}/${randomUUID()}`);
      subscriptions.set(new URL(subscription.endpoint).pathname, { endpoint: subscription.endpoint, keys });
      return subscription;
    },
    script(endpoint: string, replies: PushReply[]) {
      scripts.set(new URL(endpoint).pathname, [...replies]);
    },
  });
}
