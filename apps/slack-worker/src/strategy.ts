import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { ChannelCommand } from "@fluxnotify/shared/contracts";
import type { ChannelStrategy, Classification } from "@fluxnotify/shared/delivery";
import {
  type AllowListPolicy,
  checkWebhookUrl,
  classifyAppError,
  parseRetryAfter,
  tcpProbe,
} from "@fluxnotify/shared/delivery";
import { NonRetryableError, RetryableError } from "@fluxnotify/shared/errors";
import got from "got";
import { renderSlack, type SlackMessage } from "./blocks";

export interface SlackOptions extends AllowListPolicy {
  timeoutMs: number;
}

/** A failure below HTTP (connect, DNS, timeout), with the endpoint the breaker should probe. */
export class SlackTransportError extends Error {
  constructor(
    readonly code: string,
    readonly target: { host: string; port: number },
    cause: unknown,
  ) {
    super(`webhook ${target.host}:${target.port} unreachable: ${code}`, { cause });
    this.name = "SlackTransportError";
  }
}

const DOWN_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNABORTED"]);

function outcomeOf(status: number, body: string, retryAfter: string | undefined): void {
  if (status >= 200 && status < 300) return;
  const detail = `webhook answered ${status}${body ? ` (${body.slice(0, 200)})` : ""}`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    throw new RetryableError(
      "SLACK_RATE_LIMITED",
      detail,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  if (status >= 500) throw new RetryableError("SLACK_SERVER_ERROR", detail);
  if (status >= 300 && status < 400)
    throw new NonRetryableError("SLACK_REDIRECT_REFUSED", `${detail}; redirects are never followed`);
  // 400 invalid_payload, 403 action_prohibited, 404 no_service, 410 channel_is_archived: retrying cannot help.
  throw new NonRetryableError(`SLACK_HTTP_${status}`, detail);
}

export function slackStrategy(options: SlackOptions): ChannelStrategy<SlackMessage> & { close(): void } {
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  let downTarget: { host: string; port: number } | undefined;
  const client = got.extend({
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 }, // the runtime owns retries, backoff and the breaker
    followRedirect: false,
    throwHttpErrors: false,
    agent,
    headers: { "user-agent": "fluxnotify-slack-worker" },
  });

  return {
    channel: "SLACK",
    provider: "slack-webhook",
    render: renderSlack,
    async send(message, command: ChannelCommand) {
      // Checked before anything touches the network (no DNS lookup, no connection).
      const url = checkWebhookUrl(command.destination, options);
      const target = { host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) };
      let response: {
        statusCode: number;
        body: string;
        headers: Record<string, string | string[] | undefined>;
      };
      try {
        response = await client.post(url, { json: message, responseType: "text" });
      } catch (error) {
        const code = (error as { code?: string }).code ?? "UNKNOWN";
        throw new SlackTransportError(code, target, error);
      }
      const retryAfter = response.headers["retry-after"];
      outcomeOf(response.statusCode, response.body, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      return {};
    },
    classify(error): Classification {
      if (error instanceof SlackTransportError) {
        if (DOWN_CODES.has(error.code)) {
          downTarget = error.target;
          return { kind: "provider_down", code: "SLACK_UNREACHABLE" };
        }
        if (TIMEOUT_CODES.has(error.code)) {
          downTarget = error.target;
          return { kind: "transient", code: "SLACK_TIMEOUT", timeout: true };
        }
        return { kind: "transient", code: `SLACK_NETWORK_${error.code}` };
      }
      return classifyAppError(error, "SLACK_UNEXPECTED");
    },
    probe() {
      const target = downTarget;
      if (!target) return Promise.resolve();
      // A TCP connect is enough to know the host accepts connections again; no request is sent.
      return tcpProbe(target);
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}
