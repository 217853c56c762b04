import type { NextFunction, Request, Response } from "express";

export interface CorsPolicy {
  /** Exact origins (`https://shop.example`), compared as browsers send them; empty: same-origin only. */
  allowedOrigins: readonly string[];
  /** Only paths under these prefixes answer cross-origin calls (the endpoints pages embed). */
  pathPrefixes: readonly string[];
}

/**
 * CORS for the few endpoints other sites' pages call (the embeddable inbox): an allow-listed
 * Origin gets itself echoed, with the Authorization and Last-Event-ID request headers allowed
 * and the preflight answered here (204). Never credentials: the API authenticates with
 * bearer tokens, not cookies, so no page can borrow a user's session. An Origin not listed
 * gets no CORS headers, so the browser refuses the response to that page.
 */
export function corsMiddleware(policy: CorsPolicy) {
  const allowed = new Set(policy.allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (!origin || allowed.size === 0 || !policy.pathPrefixes.some((prefix) => req.path.startsWith(prefix))) {
      next();
      return;
    }
    res.append("Vary", "Origin");
    if (!allowed.has(origin)) {
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Expose-Headers", "Retry-After, X-Request-Id");
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
      res.setHeader("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    next();
  };
}
