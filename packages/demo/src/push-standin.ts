// Loopback stand-in for a browser's push service, for local runs only (bin/dev): a Web Push
// service on the first port that checks VAPID and decrypts each message as the browser would
// (packages/shared/src/testing/push), and on the second port what a person looks at:
//   GET  /                 the pushes received, decrypted, newest first
//   POST /browsers/{name}  a browser's PushSubscription (endpoint + keys) on this service; the
//                          same name gives the same browser while the stand-in runs
import { createServer } from "node:http";
import { type BrowserSubscription, startWebPushService } from "@fluxnotify/shared/testing/push";

const pushPort = Number(process.argv[2] ?? 4020);
const uiPort = Number(process.argv[3] ?? 4021);

const service = await startWebPushService({ port: pushPort });
const browsers = new Map<string, BrowserSubscription>();

createServer((req, res) => {
  const browser = /^\/browsers\/([\w.-]{1,64})$/.exec(req.url ?? "");
  if (req.method === "POST" && browser) {
    const name = browser[1] as string;
    const subscription = browsers.get(name) ?? service.createBrowserSubscription();
    browsers.set(name, subscription);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(subscription));
    return;
  }
  if (req.method === "GET" && req.url === "/") {
    const named = new Map([...browsers].map(([name, sub]) => [sub.endpoint, name]));
    const received = service
      .accepted()
      .slice(-100)
      .reverse()
      .map((push) => ({
        at: new Date(push.at).toISOString(),
        browser: named.get(push.endpoint) ?? "(unknown)",
        urgency: push.urgency,
        ttl: push.ttl,
        payload: push.payload,
      }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received, null, 2));
    return;
  }
  res.writeHead(404).end();
}).listen(uiPort, "127.0.0.1", () =>
  console.log(
    `push stand-in: service on http://127.0.0.1:${pushPort}, received pushes at http://127.0.0.1:${uiPort}/`,
  ),
);
