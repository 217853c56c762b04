import { readFileSync } from "node:fs";
import { defineRoute } from "@fluxnotify/shared/http";
import { inboxComponentFile } from "../inbox-site/assets";
import { COMPONENT_PATH, INBOX_SITE_PATH, PAGE_CSP, PAGE_CSS, PAGE_HTML, PAGE_JS } from "../inbox-site/page";

const JS = "text/javascript; charset=utf-8";

/**
 * A few kilobytes each, held as bytes once (the component read from disk at startup).
 * Revalidated on every use (a 304 thanks to express's ETag), so a new release's files are
 * seen at once, on this page and on every site that embeds the component.
 */
const file = (type: string, bytes: Buffer, headers: Record<string, string> = {}) => ({
  raw: bytes,
  headers: { "Content-Type": type, "Cache-Control": "no-cache", ...headers },
});

const asset = (path: string, summary: string, served: ReturnType<typeof file>) =>
  defineRoute({
    method: "get",
    path,
    summary,
    tags: ["inbox site"],
    auth: "none",
    responses: { 200: { description: summary } },
    handler: async () => ({ status: 200, raw: served.raw, headers: served.headers }),
  });

/**
 * The in-app inbox for browsers, served without a token: the <fluxnotify-inbox> component
 * that sites embed, and a demo page showing it (its token comes from the URL fragment or is
 * pasted into it, and is sent to the API only).
 */
export const inboxSiteRoutes = () => {
  const page = file("text/html; charset=utf-8", Buffer.from(PAGE_HTML), {
    "Content-Security-Policy": PAGE_CSP,
  });
  // Public code that other sites load as a module script, which browsers fetch with CORS:
  // any origin may read it, and the app's `Cross-Origin-Resource-Policy: same-origin` is
  // lifted for it alone.
  const component = file(JS, readFileSync(inboxComponentFile()), {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
  });
  return [
    defineRoute({
      method: "get",
      path: INBOX_SITE_PATH,
      summary: "Demo page: the <fluxnotify-inbox> component signed in with a development token (HTML)",
      tags: ["inbox site"],
      auth: "none",
      responses: {
        200: { description: "The page (text/html)" },
        308: { description: "/inbox without its slash: to /inbox/" },
      },
      handler: async ({ req }) =>
        // Routing ignores a trailing slash; one address keeps the page's links and history simple.
        req.path.endsWith("/")
          ? { status: 200, raw: page.raw, headers: page.headers }
          : { status: 308, headers: { Location: INBOX_SITE_PATH } },
    }),
    asset(
      `${INBOX_SITE_PATH}app.js`,
      "The demo page's script (text/javascript)",
      file(JS, Buffer.from(PAGE_JS)),
    ),
    asset(
      `${INBOX_SITE_PATH}inbox.css`,
      "The demo page's stylesheet (text/css)",
      file("text/css; charset=utf-8", Buffer.from(PAGE_CSS)),
    ),
    asset(
      COMPONENT_PATH,
      'The <fluxnotify-inbox> Web Component (an ES module, text/javascript) for any site to embed: <script type="module" src="…/inbox/fluxnotify-inbox.js">',
      component,
    ),
  ];
};
