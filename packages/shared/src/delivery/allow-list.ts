import { NonRetryableError } from "../errors";

export interface AllowListPolicy {
  /**
   * `host` (default port) or `host:port` entries, e.g. hooks.slack.com, 127.0.0.1:8080; an
   * entry `*.example.com` matches every subdomain of example.com (never example.com itself).
   */
  allowedHosts: string[];
  allowInsecureLoopback: boolean;
}

/** What kind of outbound URL is checked: names its error codes, messages and variable. */
export interface OutboundKind {
  /** Error code prefix: `${code}_INVALID`, `${code}_NOT_ALLOWED`. */
  code: string;
  /** What the URL is, in messages ("webhook", "push endpoint"). */
  noun: string;
  /** The variable that holds the allow-list. */
  variable: string;
}

export const SLACK_WEBHOOK: OutboundKind = {
  code: "SLACK_WEBHOOK",
  noun: "webhook",
  variable: "SLACK_ALLOWED_HOSTS",
};
export const PUSH_ENDPOINT: OutboundKind = {
  code: "PUSH_ENDPOINT",
  noun: "push endpoint",
  variable: "PUSH_ALLOWED_HOSTS",
};

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function hostAllowed(url: URL, allowedHosts: string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    if (allowed.startsWith("*.")) {
      // The suffix keeps its dot: *.notify.windows.com matches a.notify.windows.com, not
      // evilnotify.windows.com or notify.windows.com.evil.com (the port must be the default).
      return url.port === "" && hostname.endsWith(allowed.slice(1)) && hostname.length > allowed.length - 1;
    }
    return allowed === host || (url.port === "" && allowed === hostname);
  });
}

/**
 * Decides, before any DNS lookup or connection, whether an outbound URL a user gave us may
 * be called: https to an allow-listed host, or (local runs only) http to an allow-listed
 * loopback host. An arbitrary URL would otherwise let whoever saves one make us call
 * internal services. The API validating what a user saves and the worker about to call it
 * run this same function, so a saved URL is never one the worker refuses.
 */
export function checkOutboundUrl(raw: string, policy: AllowListPolicy, kind: OutboundKind): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NonRetryableError(`${kind.code}_INVALID`, `${kind.noun} URL is not a valid URL`);
  }
  if (url.username || url.password) {
    throw new NonRetryableError(`${kind.code}_NOT_ALLOWED`, `${kind.noun} URL must not carry credentials`);
  }
  if (!hostAllowed(url, policy.allowedHosts)) {
    throw new NonRetryableError(
      `${kind.code}_NOT_ALLOWED`,
      `${kind.noun} host ${url.host} is not on the allow-list (${kind.variable}); not called`,
    );
  }
  const insecureOk = policy.allowInsecureLoopback && LOOPBACK.has(url.hostname.toLowerCase());
  if (url.protocol !== "https:" && !(url.protocol === "http:" && insecureOk)) {
    throw new NonRetryableError(
      `${kind.code}_NOT_ALLOWED`,
      `${kind.noun} URL must use https (got ${url.protocol.replace(":", "")} for ${url.host}); not called`,
    );
  }
  return url;
}

/** A Slack incoming-webhook URL (SLACK_ALLOWED_HOSTS). */
export const checkWebhookUrl = (raw: string, policy: AllowListPolicy) =>
  checkOutboundUrl(raw, policy, SLACK_WEBHOOK);

/** A browser's Web Push endpoint (PUSH_ALLOWED_HOSTS). */
export const checkPushEndpoint = (raw: string, policy: AllowListPolicy) =>
  checkOutboundUrl(raw, policy, PUSH_ENDPOINT);
