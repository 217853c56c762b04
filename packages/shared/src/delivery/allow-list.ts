import { NonRetryableError } from "../errors";

export interface AllowListPolicy {
  /** `host` (default port) or `host:port` entries, e.g. hooks.slack.com, 127.0.0.1:8080. */
  allowedHosts: string[];
  allowInsecureLoopback: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function hostAllowed(url: URL, allowedHosts: string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    return allowed === host || (url.port === "" && allowed === hostname);
  });
}

/**
 * Decides, before any DNS lookup or connection, whether a webhook URL may be called: https
 * to an allow-listed host, or (local runs only) http to an allow-listed loopback host. An
 * arbitrary URL would otherwise let whoever sets a webhook make us call internal services.
 */
export function checkWebhookUrl(raw: string, policy: AllowListPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NonRetryableError("SLACK_WEBHOOK_INVALID", "webhook URL is not a valid URL");
  }
  if (url.username || url.password) {
    throw new NonRetryableError("SLACK_WEBHOOK_NOT_ALLOWED", "webhook URL must not carry credentials");
  }
  if (!hostAllowed(url, policy.allowedHosts)) {
    throw new NonRetryableError(
      "SLACK_WEBHOOK_NOT_ALLOWED",
      `webhook host ${url.host} is not on the allow-list (SLACK_ALLOWED_HOSTS); not called`,
    );
  }
  const insecureOk = policy.allowInsecureLoopback && LOOPBACK.has(url.hostname.toLowerCase());
  if (url.protocol !== "https:" && !(url.protocol === "http:" && insecureOk)) {
    throw new NonRetryableError(
      "SLACK_WEBHOOK_NOT_ALLOWED",
      `webhook URL must use https (got ${url.protocol.replace(":", "")} for ${url.host}); not called`,
    );
  }
  return url;
}
