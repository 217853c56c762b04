import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PubSubRecorder, SmtpSink, WebhookSink } from "@fluxnotify/platform/sinks";
import type { WebPushService } from "@fluxnotify/shared/testing/push";
import type { Observed } from "./observed";

/**
 * The sinks live in the global-setup process for the whole run; test files run in worker
 * processes and read what the sinks recorded through this loopback endpoint.
 */
export async function startSinkControl(sinks: {
  smtp: SmtpSink;
  webhook: WebhookSink;
  inapp: PubSubRecorder;
  push: WebPushService;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const named = new Map<string, unknown>();
  const server: Server = createServer((req, res) => {
    // A browser subscribing: the push stand-in keeps its private key and decrypts what it gets.
    // /push/browsers makes a new one; /push/browsers/{name} the same one for the same name
    // (the demo's, as bin/dev's stand-in does).
    const name = /^\/push\/browsers\/([\w.-]+)$/.exec(req.url ?? "")?.[1];
    if (req.method === "POST" && (req.url === "/push/browsers" || name)) {
      const subscription = (name && named.get(name)) ?? sinks.push.createBrowserSubscription();
      if (name) named.set(name, subscription);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(subscription));
      return;
    }
    if (req.method !== "GET" || req.url !== "/observed") {
      res.writeHead(404).end();
      return;
    }
    const observed: Observed = {
      mail: sinks.smtp.received,
      rcpt: sinks.smtp.rcptAttempts,
      slack: sinks.webhook.received.map(({ path, body, at }) => ({ path, body, at })),
      inapp: sinks.inapp.messages,
      push: sinks.push.accepted().map(({ endpoint, payload, urgency, ttl, topic, at }) => ({
        endpoint,
        payload,
        urgency,
        ttl,
        topic,
        at,
      })),
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(observed));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
