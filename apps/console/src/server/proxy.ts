import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { sendProblem } from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import { Counter, type Registry } from "@fluxnotify/shared/metrics";
import type { NextFunction, Request, Response } from "express";

export interface Upstream {
  /** "query-api", "dlq-admin": for logs and metrics. */
  name: string;
  base: URL;
}

export interface ProxyOptions {
  /** Where a path goes; undefined: not proxied (the next handler answers). */
  route(path: string): Upstream | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  logger: Logger;
  registry: Registry;
}

/**
 * RFC 9110 §7.6.1 hop-by-hop fields, never forwarded either way. Cookies are not forwarded
 * either: the APIs authenticate with bearer tokens only, and a cookie of this origin is no
 * business of theirs.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "cookie",
]);

/** The console's own policy headers stay; the upstream's would only repeat or contradict them. */
const OWN_RESPONSE_HEADERS = new Set([
  "content-security-policy",
  "x-frame-options",
  "strict-transport-security",
  "set-cookie",
]);

function forwardable(headers: IncomingHttpHeaders, drop: Set<string>): Record<string, string | string[]> {
  const connectionListed = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || connectionListed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Dot segments would let `/api/v1/../metrics` reach an upstream's other endpoints through a
 * server that normalises paths; ours do not, but an upstream behind another proxy might.
 * Encoded ones (%2e) count: some servers decode before they normalise.
 */
const hasDotSegment = (path: string) => path.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment));

/**
 * The same-origin reverse proxy the SPA calls, so it needs no CORS: method, path, query,
 * the Authorization header and the body go to the upstream as they came (streamed, never
 * parsed or buffered), and the answer comes back streamed (a download, the inbox stream).
 * Bounded: a connection that does not open within connectTimeoutMs is a 502, headers that
 * do not come within timeoutMs a 504, a response idle for idleTimeoutMs is cut off. An
 * upstream that is down is a 502 problem naming it. Tokens are never logged: only method,
 * upstream, status and the error's code.
 */
export function createProxy(options: ProxyOptions) {
  const errors = new Counter({
    name: "console_proxy_errors_total",
    help: "Proxied requests that got no answer from their upstream, by upstream and reason",
    labelNames: ["upstream", "reason"],
    registers: [options.registry],
  });
  // Keep-alive: the SPA makes several calls per page.
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    const upstream = options.route(path);
    if (!upstream) {
      next();
      return;
    }
    if (hasDotSegment(path)) {
      sendProblem(res, { status: 400, title: "Bad Request", detail: "the path has a dot segment" });
      return;
    }
    const secure = upstream.base.protocol === "https:";
    const target = new URL(upstream.base.href);
    // The upstream's own path prefix, then the request's path and query as they came.
    target.pathname = `${upstream.base.pathname.replace(/\/$/, "")}${path}`;
    const query = req.originalUrl.indexOf("?");
    target.search = query === -1 ? "" : req.originalUrl.slice(query);

    const headers = forwardable(req.headers, new Set());
    headers["x-forwarded-for"] = [req.headers["x-forwarded-for"], req.socket.remoteAddress]
      .filter(Boolean)
      .join(", ");
    // How the browser reached the console (the upstream's own scheme is no news to it).
    headers["x-forwarded-proto"] = req.protocol;
    if (req.headers.host) headers["x-forwarded-host"] = req.headers.host;
    if (req.requestId) headers["x-request-id"] = req.requestId;

    let settled = false;
    let clientGone = false;
    const fail = (status: 502 | 504, reason: string, detail: string, error?: unknown) => {
      if (settled || clientGone) return;
      settled = true;
      errors.inc({ upstream: upstream.name, reason });
      const code = (error as { code?: string } | undefined)?.code;
      options.logger.warn(
        { upstream: upstream.name, method: req.method, reason, code, requestId: req.requestId },
        "upstream did not answer",
      );
      if (res.headersSent) res.destroy();
      else sendProblem(res, { status, title: status === 502 ? "Bad Gateway" : "Gateway Timeout", detail });
    };

    const outgoing = (secure ? httpsRequest : httpRequest)(target, {
      method: req.method,
      headers,
      agent: secure ? agents.https : agents.http,
    });
    const connectTimer = setTimeout(() => {
      fail(
        502,
        "connect_timeout",
        `${upstream.name} did not accept a connection within ${options.connectTimeoutMs} ms`,
      );
      outgoing.destroy();
    }, options.connectTimeoutMs);
    const responseTimer = setTimeout(() => {
      fail(504, "timeout", `${upstream.name} did not answer within ${options.timeoutMs} ms`);
      outgoing.destroy();
    }, options.timeoutMs);
    outgoing.on("socket", (socket) => {
      // A reused keep-alive socket is connected already.
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once("connect", () => clearTimeout(connectTimer));
    });
    outgoing.on("error", (error) => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      fail(502, "unreachable", `${upstream.name} is not reachable`, error);
    });
    outgoing.on("response", (answer: IncomingMessage) => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      if (settled) {
        answer.destroy();
        return;
      }
      settled = true;
      res.status(answer.statusCode ?? 502);
      for (const [name, value] of Object.entries(forwardable(answer.headers, OWN_RESPONSE_HEADERS)))
        res.setHeader(name, value);
      // Headers at once, so a stream (the inbox's SSE) starts before its first event.
      res.flushHeaders();
      // Our own timer, not the socket's: a keep-alive socket outlives this response.
      const idle = setTimeout(() => {
        errors.inc({ upstream: upstream.name, reason: "idle" });
        options.logger.warn(
          { upstream: upstream.name, requestId: req.requestId },
          "upstream response idle; cut off",
        );
        answer.destroy();
        res.destroy();
      }, options.idleTimeoutMs);
      answer.on("data", () => idle.refresh());
      answer.on("close", () => clearTimeout(idle));
      answer.on("error", () => res.destroy());
      answer.pipe(res);
    });
    // The browser went away: so does the upstream request (a stream would otherwise live on).
    res.on("close", () => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      if (!res.writableFinished) {
        clientGone = true;
        outgoing.destroy();
      }
    });
    req.pipe(outgoing);
  };
}
