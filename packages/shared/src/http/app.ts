import { STATUS_CODES } from "node:http";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Registry } from "prom-client";
import type { Logger } from "../logger";
import { mountApiDocs } from "./api-docs/index";
import { type AuthOptions, createTokenVerifier } from "./auth";
import { type CorsPolicy, corsMiddleware } from "./cors";
import { createHealthHandlers, type HealthState, type ReadinessCheck } from "./health-server";
import { observeRequests } from "./observe-requests";
import { HttpProblem, sendProblem } from "./problem";
import { type AnyRoute, buildOpenApi, mountRoutes } from "./routes";
import { type RunningServer, type ServerTimeouts, startServer } from "./server";

export interface HttpAppOptions {
  name: string;
  version?: string;
  logger: Logger;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  auth: AuthOptions;
  routes: AnyRoute[];
  bodyLimit?: string;
  /** The API reference page for /openapi.json at /docs (./api-docs); on unless false. */
  apiReference?: boolean;
  /** Cross-origin calls from other sites' pages, for the paths that allow them (./cors). */
  cors?: CorsPolicy;
}

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
};

const PROBES = new Set(["/metrics", "/healthz", "/readyz"]);

/**
 * An express app with what every API of ours needs: request ids, access logs, security
 * headers, a JSON body limit (413), zod-validated routes, JWT auth, problem+json errors,
 * /openapi.json and its reference page (/docs), /metrics, /healthz and /readyz.
 */
export function createHttpApp(options: HttpAppOptions): { app: Express; health: HealthState } {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  const health = createHealthHandlers({ registry: options.registry, checks: options.checks });
  const openapi = buildOpenApi({ title: options.name, version: options.version ?? "1.0.0" }, options.routes);

  app.use(
    observeRequests({
      logger: options.logger,
      registry: options.registry,
      securityHeaders: SECURITY_HEADERS,
      routeOf: (req) => (req.route?.path ? `${req.baseUrl}${req.route.path}` : "unmatched"),
      quiet: (req) => PROBES.has(req.path),
    }),
  );
  if (options.cors) app.use(corsMiddleware(options.cors));
  app.use(express.json({ limit: options.bodyLimit ?? "64kb" }));

  app.get("/healthz", health.healthz);
  app.get("/readyz", health.readyz);
  app.get("/metrics", health.metrics);
  app.get("/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  if (options.apiReference !== false) mountApiDocs(app, options.name);
  mountRoutes(app, options.routes, createTokenVerifier(options.auth));

  app.use((req: Request) => {
    throw HttpProblem.notFound(`no route for ${req.method} ${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof HttpProblem) {
      sendProblem(res, { ...error, instance: req.originalUrl });
      return;
    }
    const clientError = error as { type?: string; status?: unknown; limit?: number; message?: string };
    if (clientError.type === "entity.too.large") {
      sendProblem(res, {
        status: 413,
        title: "Content Too Large",
        detail: `request body exceeds ${clientError.limit} bytes`,
      });
      return;
    }
    if (clientError.type === "entity.parse.failed") {
      sendProblem(res, { status: 400, title: "Bad Request", detail: "request body is not valid JSON" });
      return;
    }
    // The body parser (unsupported charset or encoding, aborted body) and the router (a path
    // parameter that is not valid percent-encoding) reject requests with a 4xx status of
    // their own: the client's fault, answered as a problem like ours, not a 500.
    if (typeof clientError.status === "number" && clientError.status >= 400 && clientError.status < 500) {
      sendProblem(res, {
        status: clientError.status,
        title: STATUS_CODES[clientError.status] ?? "Bad Request",
        detail: clientError.message?.slice(0, 200) || "the request was refused",
      });
      return;
    }
    options.logger.error({ err: error, requestId: req.requestId }, "unhandled request error");
    sendProblem(res, {
      status: 500,
      title: "Internal Server Error",
      detail: `request ${req.requestId} failed`,
    });
  });
  return { app, health };
}

/** Serves `app` on `port` with the request timeouts every server of ours has. */
export function listen(
  app: Express,
  port: number,
  host = "0.0.0.0",
  timeouts?: ServerTimeouts,
): Promise<RunningServer> {
  return startServer(app, { port, host, timeouts });
}
