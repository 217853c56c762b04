/** An RFC 9457 problem as the APIs (and the console's proxy) answer errors. */
export interface Problem {
  status: number;
  title?: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; problem: Problem };

export interface CallOptions {
  method?: "GET" | "POST" | "DELETE";
  query?: Record<string, string | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

function pathWithQuery(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * One call to the APIs, through this origin's proxy (no CORS), with the session's token.
 * Never throws for an HTTP or network failure: the page shows the problem.
 */
export async function apiCall<T>(
  token: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(pathWithQuery(path, options.query), {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    return { ok: false, status: 0, problem: { status: 0, detail: "the console's server is not reachable" } };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return { ok: true, status: response.status, data: parsed as T };
  const problem = (parsed && typeof parsed === "object" ? parsed : {}) as Partial<Problem>;
  return {
    ok: false,
    status: response.status,
    problem: {
      ...problem,
      status: response.status,
      detail:
        typeof problem.detail === "string" ? problem.detail : `${response.status} ${response.statusText}`,
    },
  };
}

/**
 * An endpoint this platform does not have yet (the console degrades instead of failing): the
 * router's own 404, or a 400 that names what an older API does not know.
 */
export function isMissingEndpoint(problem: Problem, unknownName?: string): boolean {
  if (problem.status === 404 && /^no route for /.test(problem.detail)) return true;
  if (problem.status === 405 || problem.status === 501) return true;
  if (problem.status !== 400) return false;
  const names = [problem.detail, ...(problem.errors ?? []).map((error) => `${error.field} ${error.message}`)];
  return unknownName !== undefined && names.some((text) => text.includes(unknownName));
}
