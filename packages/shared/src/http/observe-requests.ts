import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger";
import { Histogram, LATENCY_BUCKETS, type Registry } from "../metrics";

export interface ObserveRequestsOptions {
  logger: Logger;
  registry: Registry;
  /** Set on every answer (the app's CSP among them). */
  securityHeaders: Record<string, string>;
  /** The request's label in the histogram and the access log: a route, never a raw path (ids would make a series each). */
  routeOf: (req: Request) => string;
  /** No access-log line for these (probes, static files); they are still measured. */
  quiet: (req: Request, route: string) => boolean;
}

/**
 * What every HTTP app of ours does first: a request id (the caller's, if it is a sane one),
 * the security headers, `http_request_duration_seconds` by method, route and status, and one
 * access-log line per answer. The line has the route only: a query string is the user's
 * search, and no header (a token) is ever logged.
 */
export function observeRequests(options: ObserveRequestsOptions) {
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"],
    buckets: LATENCY_BUCKETS,
    registers: [options.registry],
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header("x-request-id");
    req.requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("X-Request-Id", req.requestId);
    for (const [name, value] of Object.entries(options.securityHeaders)) res.setHeader(name, value);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = options.routeOf(req);
      duration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (options.quiet(req, route)) return;
      options.logger.info(
        {
          requestId: req.requestId,
          method: req.method,
          route,
          status: res.statusCode,
          durationMs: seconds * 1000,
        },
        "request",
      );
    });
    next();
  };
}
