import type { Response } from "express";

export interface ProblemFields {
  status: number;
  title: string;
  detail: string;
  /** Extra members, e.g. `errors: [{ field, message }]` for validation problems. */
  extensions?: Record<string, unknown>;
  /** Response headers that go with it (Retry-After on a 429, say). */
  headers?: Record<string, string>;
}

/**
 * An RFC 9457 problem. Throw it from a handler; the error middleware answers with
 * `application/problem+json`.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(fields: ProblemFields) {
    super(fields.detail);
    this.status = fields.status;
    this.title = fields.title;
    this.detail = fields.detail;
    this.extensions = fields.extensions ?? {};
    this.headers = fields.headers ?? {};
  }

  static badRequest(detail: string, extensions?: Record<string, unknown>) {
    return new HttpProblem({ status: 400, title: "Bad Request", detail, extensions });
  }
  static unauthorized(detail: string) {
    return new HttpProblem({ status: 401, title: "Unauthorized", detail });
  }
  static forbidden(detail: string) {
    return new HttpProblem({ status: 403, title: "Forbidden", detail });
  }
  static notFound(detail: string) {
    return new HttpProblem({ status: 404, title: "Not Found", detail });
  }
  static conflict(detail: string) {
    return new HttpProblem({ status: 409, title: "Conflict", detail });
  }
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The RFC 9457 document for `problem`, as JSON text (express and plain node:http both send it). */
export function problemJson(problem: ProblemFields & { instance?: string }): string {
  return JSON.stringify({
    type: "about:blank",
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.instance ? { instance: problem.instance } : {}),
    ...problem.extensions,
  });
}

export function sendProblem(res: Response, problem: ProblemFields & { instance?: string }): void {
  if (problem.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="fluxnotify"');
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problemJson(problem));
}
