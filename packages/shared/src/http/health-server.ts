import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Logger } from "../logger";
import { PROBLEM_CONTENT_TYPE, type ProblemFields, problemJson } from "./problem";
import { type ServerTimeouts, startServer } from "./server";

/**
 * A readiness check resolves when the dependency is usable; an object it returns is shown
 * as detail, and `degraded: true` in it makes the status "degraded" (still 200).
 */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthState {
  /** Flip to true once the process has started consuming/serving. */
  setStarted(started: boolean): void;
  /** Flip to true on the first shutdown signal: readiness fails from then on. */
  setShuttingDown(shuttingDown: boolean): void;
}

export interface HealthHandlers extends HealthState {
  healthz(req: IncomingMessage, res: ServerResponse): void;
  readyz(req: IncomingMessage, res: ServerResponse): Promise<void>;
  metrics(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function runCheck(check: ReadinessCheck) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    const detail = await Promise.race([check(), timeout]);
    return { ok: true as const, ...(detail && typeof detail === "object" ? detail : {}) };
  } catch (error) {
    return { ok: false as const, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz` says the process is alive; `/readyz` says it should get traffic/partitions:
 * false while starting, during shutdown, and while any dependency check fails. The handlers
 * are plain node:http handlers so express apps mount the same ones.
 */
export function createHealthHandlers(options: {
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
}): HealthHandlers {
  let started = false;
  let shuttingDown = false;
  return {
    setStarted: (value) => {
      started = value;
    },
    setShuttingDown: (value) => {
      shuttingDown = value;
    },
    healthz: (_req, res) => sendJson(res, 200, { status: "ok" }),
    readyz: async (_req, res) => {
      if (shuttingDown || !started) {
        sendJson(res, 503, { status: shuttingDown ? "shutting_down" : "starting" });
        return;
      }
      const names = Object.keys(options.checks);
      const results = await Promise.all(
        names.map((name) => runCheck(options.checks[name] as ReadinessCheck)),
      );
      const checks = Object.fromEntries(names.map((name, index) => [name, results[index]]));
      const ready = results.every((result) => result.ok);
      // Degraded (a stalled partition, say) is ready for traffic but wants an operator.
      const degraded = results.some((result) => (result as { degraded?: unknown }).degraded === true);
      const status = ready ? (degraded ? "degraded" : "ready") : "not_ready";
      sendJson(res, ready ? 200 : 503, { status, checks });
    },
    metrics: async (_req, res) => {
      const body = await options.registry.metrics();
      res.writeHead(200, { "content-type": options.registry.contentType });
      res.end(body);
    },
  };
}

export interface HealthServer extends HealthState {
  readonly port: number;
  close(): Promise<void>;
}

function writeProblem(res: ServerResponse, problem: ProblemFields): void {
  res.writeHead(problem.status, { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" });
  res.end(problemJson(problem));
}

/** The side HTTP server every worker runs: /metrics, /healthz, /readyz, nothing else. */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  logger: Logger;
  timeouts?: ServerTimeouts;
}): Promise<HealthServer> {
  const handlers = createHealthHandlers(options);
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>([
    ["/healthz", handlers.healthz],
    ["/readyz", handlers.readyz],
    ["/metrics", handlers.metrics],
  ]);
  const running = await startServer(
    (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const route = routes.get(path);
      if (!route) {
        writeProblem(res, {
          status: 404,
          title: "Not Found",
          detail: `no route for ${req.method} ${path}; this port serves ${[...routes.keys()].join(", ")}`,
        });
        return;
      }
      Promise.resolve()
        .then(() => route(req, res))
        .catch((error: unknown) => {
          options.logger.error({ err: error, path }, "health endpoint failed");
          if (!res.headersSent) {
            writeProblem(res, { status: 500, title: "Internal Server Error", detail: `${path} failed` });
          } else res.destroy();
        });
    },
    { port: options.port, host: options.host, timeouts: options.timeouts },
  );
  options.logger.info({ port: running.port }, "health server listening");
  return {
    port: running.port,
    setStarted: handlers.setStarted,
    setShuttingDown: handlers.setShuttingDown,
    close: running.close,
  };
}
