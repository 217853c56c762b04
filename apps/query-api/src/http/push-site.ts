import { defineRoute } from "@fluxnotify/shared/http";
import { PAGE_CSP, PAGE_CSS, PAGE_HTML, PAGE_JS, PUSH_SITE_PATH } from "../push-site/page";
import { SERVICE_WORKER_JS } from "../push-site/service-worker";

const JS = "text/javascript; charset=utf-8";

/**
 * A few kilobytes each, held as bytes once. Revalidated on every use (a 304 thanks to
 * express's ETag), so a new release's worker and page are seen at once; browsers check a
 * service worker script for updates themselves as well.
 */
const file = (type: string, text: string, headers: Record<string, string> = {}) => {
  const raw = Buffer.from(text);
  return { raw, headers: { "Content-Type": type, "Cache-Control": "no-cache", ...headers } };
};

const PAGE = file("text/html; charset=utf-8", PAGE_HTML, { "Content-Security-Policy": PAGE_CSP });
const SCRIPT = file(JS, PAGE_JS);
const STYLESHEET = file("text/css; charset=utf-8", PAGE_CSS);
// The API's own `default-src 'none'` policy stays on the worker: it fetches nothing and runs
// nothing but itself. Service-Worker-Allowed lets a page of this origin register it for a
// scope wider than /push/ (for example "/").
const WORKER = file(JS, SERVICE_WORKER_JS, { "Service-Worker-Allowed": "/" });

const asset = (path: string, summary: string, served: ReturnType<typeof file>) =>
  defineRoute({
    method: "get",
    path,
    summary,
    tags: ["push site"],
    auth: "none",
    responses: { 200: { description: summary } },
    handler: async () => ({ status: 200, raw: served.raw, headers: served.headers }),
  });

/**
 * The browser side of Web Push, served without a token (docs/push-integration.md): the
 * example page (its token is pasted into it, and sent to the API only), its script and
 * stylesheet, and the service worker that shows the notifications.
 */
export const pushSiteRoutes = () => [
  defineRoute({
    method: "get",
    path: PUSH_SITE_PATH,
    summary: "Example page: subscribe this browser to push notifications and manage your devices (HTML)",
    tags: ["push site"],
    auth: "none",
    responses: {
      200: { description: "The page (text/html)" },
      308: { description: "/push without its slash: to /push/, the service worker's scope" },
    },
    handler: async ({ req }) =>
      // Routing ignores a trailing slash, but a service worker's scope does not: /push is
      // outside /push/, where the page's worker would never become ready.
      req.path.endsWith("/")
        ? { status: 200, raw: PAGE.raw, headers: PAGE.headers }
        : { status: 308, headers: { Location: PUSH_SITE_PATH } },
  }),
  asset(`${PUSH_SITE_PATH}app.js`, "The example page's script (text/javascript)", SCRIPT),
  asset(`${PUSH_SITE_PATH}push.css`, "The example page's stylesheet (text/css)", STYLESHEET),
  asset(
    `${PUSH_SITE_PATH}sw.js`,
    "The service worker that shows push notifications (text/javascript); register it with scope /push/ or, as Service-Worker-Allowed permits, /",
    WORKER,
  ),
];
