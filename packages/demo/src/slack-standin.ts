// Loopback stand-in for Slack's incoming-webhook host, for local runs only: accepts
// POST /services/... like Slack does, prints each message, and lists the last ones at GET /.
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 4010);
const received: Array<{ at: string; path: string; body: unknown }> = [];

createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(received, null, 2));
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end("invalid_payload");
      return;
    }
    received.unshift({ at: new Date().toISOString(), path: req.url ?? "/", body });
    received.length = Math.min(received.length, 100);
    console.log(`slack ${req.url}: ${(body as { text?: string }).text ?? "(no text)"}`);
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
}).listen(port, "127.0.0.1", () => console.log(`slack stand-in on http://127.0.0.1:${port}`));
