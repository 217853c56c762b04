import { STATUS_CODES } from "node:http";
import type { DevTokenSigner } from "@fluxnotify/shared/dev-token";
import {
  createHealthHandlers,
  type HealthState,
  HttpProblem,
  observeRequests,
  sendProblem,
} from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { configRouter, devTokenRouter } from "./dev-token";
import { SECURITY_HEADERS } from "./headers";
import { createProxy, type Upstream } from "./proxy";
import { webAppBuilt, webAppRouter } from "./web-app";

export interface ConsoleAppOptions {
  logger: Logger;
  registry: Registry;
  upstreams: { queryApi: Upstream; dlqAdmin: Upstream };
  proxy: { timeoutMs: number; connectTimeoutMs: number; idleTimeoutMs: number };
  /** The built SPA (dist/public). */
  webDir: string;
  /** Present outside production only: the development sign-in. */
  devTokens?: DevTokenSigner | undefined;
}

const DLQ_PREFIX = "/api/v1/admin/dlq";

/** dlq-admin owns /api/v1/admin/dlq and below; query-api every other /api/v1/ path. */
function routeOf(path: string, upstreams: ConsoleAppOptions["upstreams"]): Upstream | undefined {
  if (path === DLQ_PREFIX || path.startsWith(`${DLQ_PREFIX}/`)) return upstreams.dlqAdmin;
  if (path.startsWith("/api/v1/")) return upstreams.queryApi;
  return undefined;
}

const OWN_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/console/config", "/console/dev-token"]);

/** A label per kind of answer, not per path: ids in paths would make one series each. */
function routeLabel(req: Request, upstreams: ConsoleAppOptions["upstreams"]): string {
  const upstream = routeOf(req.path, upstreams);
  if (upstream) return `proxy:${upstream.name}`;
  if (req.path.startsWith("/assets/")) return "assets";
  if (OWN_PATHS.has(req.path)) return req.path;
  // Any other path outside the page's is one series, whatever was asked for.
  if (req.path.startsWith("/console/") || req.path.startsWith("/api/")) return "unmatched";
  return "page";
}

const QUIET = new Set(["/healthz", "/readyz", "/metrics", "assets", "page"]);

/** A readiness check: the upstream answers its liveness probe (it is there to proxy to). */
const reachable = (upstream: Upstream) => async () => {
  const url = new URL(`${upstream.base.pathname.replace(/\/$/, "")}/healthz`, upstream.base);
  const response = await fetch(url, { signal: AbortSignal.timeout(1_500) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${upstream.name} /healthz answered ${response.status}`);
  return { url: upstream.base.origin };
};

/**
 * The console's server: the SPA's files, the proxy to the APIs, /console/config and (outside
 * production) the development sign-in, /healthz, /readyz and /metrics. No body parser in
 * front of the proxy: bodies go through as bytes.
 */
export function createConsoleApp(options: ConsoleAppOptions): { app: Express; health: HealthState } {
  const { upstreams, logger } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.set("etag", "strong");
  const health = createHealthHandlers({
    registry: options.registry,
    checks: {
      "query-api": reachable(upstreams.queryApi),
      "dlq-admin": reachable(upstreams.dlqAdmin),
      "web app": async () => {
        if (!webAppBuilt(options.webDir)) throw new Error(`no index.html in ${options.webDir}`);
        return {};
      },
    },
  });

  app.use(
    observeRequests({
      logger,
      registry: options.registry,
      securityHeaders: SECURITY_HEADERS,
      routeOf: (req) => routeLabel(req, upstreams),
      quiet: (_req, route) => QUIET.has(route),
    }),
  );

  app.get("/healthz", health.healthz);
  app.get("/readyz", health.readyz);
  app.get("/metrics", health.metrics);
  app.use(configRouter(options.devTokens !== undefined));
  if (options.devTokens) app.use(devTokenRouter(options.devTokens));
  app.use(
    createProxy({
      route: (path) => routeOf(path, upstreams),
      ...options.proxy,
      logger,
      registry: options.registry,
    }),
  );
  app.use(webAppRouter(options.webDir));

  app.use((req: Request) => {
    throw HttpProblem.notFound(`no route for ${req.method} ${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof HttpProblem) {
      sendProblem(res, { ...error, instance: req.path });
      return;
    }
    const clientError = error as { status?: unknown; type?: string; message?: string };
    if (typeof clientError.status === "number" && clientError.status >= 400 && clientError.status < 500) {
      const detail =
        clientError.type === "entity.parse.failed"
          ? "request body is not valid JSON"
          : clientError.status === 404
            ? `no such file: ${req.path}`
            : (clientError.message?.slice(0, 200) ?? "the request was refused");
      sendProblem(res, {
        status: clientError.status,
        title: STATUS_CODES[clientError.status] ?? "Bad Request",
        detail,
      });
      return;
    }
    logger.error({ err: error, requestId: req.requestId }, "unhandled request error");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, {
      status: 500,
      title: "Internal Server Error",
      detail: `request ${req.requestId} failed`,
    });
  });
  return { app, health };
}
