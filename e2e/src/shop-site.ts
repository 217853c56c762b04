import { createServer, type Server } from "node:http";

export interface ShopSite {
  origin: string;
  /** How often the page asked its own server for the inbox token. */
  tokenRequests(): number;
  close(): Promise<void>;
}

/**
 * A product's site embedding the inbox, as the component's header shows it: the script from
 * query-api, the element with `api-base`, and a `tokenProvider` that asks the site's own
 * server for the user's token (never an attribute). Under as strict a policy as a site may
 * have: scripts of its own and query-api's origin, styles of its own only (the component's
 * come as a constructed stylesheet), fetches to both.
 */
export async function startShopSite(options: {
  port: number;
  api: string;
  token: string;
}): Promise<ShopSite> {
  const csp = [
    "default-src 'none'",
    `script-src 'self' ${options.api}`,
    "style-src 'self'",
    // The page's empty data: icon (else the browser asks for /favicon.ico).
    "img-src data:",
    `connect-src 'self' ${options.api}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Shop</title>
    <link rel="icon" href="data:,">
    <script type="module" src="${options.api}/inbox/fluxnotify-inbox.js"></script>
    <script type="module" src="/shop.js"></script>
  </head>
  <body>
    <h1>Shop</h1>
    <fluxnotify-inbox api-base="${options.api}"></fluxnotify-inbox>
  </body>
</html>
`;
  const script = `const inbox = document.querySelector("fluxnotify-inbox");
inbox.tokenProvider = async () => (await fetch("/session/inbox-token", { cache: "no-store" })).text();
`;
  let tokenRequests = 0;
  const server: Server = createServer((req, res) => {
    const send = (type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
      res.end(body);
    };
    if (req.url === "/") send("text/html; charset=utf-8", html, { "Content-Security-Policy": csp });
    else if (req.url === "/shop.js") send("text/javascript; charset=utf-8", script);
    else if (req.url === "/session/inbox-token") {
      tokenRequests += 1;
      send("text/plain; charset=utf-8", options.token);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  return {
    origin: `http://127.0.0.1:${options.port}`,
    tokenRequests: () => tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
