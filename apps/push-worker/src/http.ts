import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import got, { type Got } from "got";
import { type NetworkTarget, PushTransportError } from "./errors";

export interface HttpResponse {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface PushHttp {
  /** One POST, nothing automatic: no retry, no redirect, no proxy; a transport failure is a PushTransportError. */
  post(
    url: URL,
    options: {
      body?: Buffer;
      form?: Record<string, string>;
      json?: unknown;
      headers?: Record<string, string>;
    },
    what: string,
  ): Promise<HttpResponse>;
  close(): void;
}

export const targetOf = (url: URL): NetworkTarget => ({
  host: url.hostname,
  port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
});

/**
 * The worker's one HTTP client, for push services, FCM and its token endpoint: keep-alive
 * agents of its own (so no environment proxy applies), and no retries or redirects (the
 * runtime owns retries; a redirect would lead somewhere the allow-list never saw).
 */
export function createPushHttp(timeoutMs: number): PushHttp {
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const client: Got = got.extend({
    timeout: { request: timeoutMs },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    agent,
    headers: { "user-agent": "fluxnotify-push-worker" },
  });
  return {
    async post(url, options, what) {
      try {
        const response = await client.post(url, { ...options, responseType: "text" });
        return { statusCode: response.statusCode, body: response.body, headers: response.headers };
      } catch (error) {
        throw new PushTransportError(
          (error as { code?: string }).code ?? "UNKNOWN",
          targetOf(url),
          what,
          error,
        );
      }
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

/**
 * A provider's error body fit for a message: URLs reduced to their host (a push service may
 * echo the endpoint), controls removed, at most 200 characters.
 */
export function describeBody(body: string): string {
  const text = body
    .replace(/https?:\/\/[^\s"'<>]+/g, (url) => {
      try {
        return new URL(url).host;
      } catch {
        return "<url>";
      }
    })
    .replace(/[\p{Cc}]+/gu, " ")
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
