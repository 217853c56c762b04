/**
 * Pattern masking for text that may hold secrets nobody put in a named field: an error
 * message quoting a row, a URL inside a provider's error, a header echoed back. It runs over
 * every finished log line, so each pattern works on raw text and on JSON-escaped text alike:
 * a match never runs past a quote or a backslash, and a replacement never adds either.
 */

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** `alice@example.com` → `a***@example.com`: enough to correlate, not enough to harvest. */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, "$1***@$2");
}

// drizzle's DrizzleQueryError message ends in "\nparams: <every bound value>"; in a log line
// the newline is the two characters `\n`. The error serializer already cuts it; this catches
// the same text wherever else it lands (a message built from `error.message`).
const QUERY_PARAMS = /(?:\n|\\n)params: (?:[^"\\\n]|\\[^n])*/g;
// scheme://user:password@host → scheme://***@host (SMTP, PostgreSQL, Redis, proxy URLs).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'\\<>]*@/gi;
// Hosts whose URL path is itself the credential: Slack incoming webhooks and the Web Push
// services (an endpoint path is the subscription's capability).
const CAPABILITY_URL =
  /(https?:\/\/(?:\*\*\*@)?(?:[a-z0-9-]+\.)*(?:hooks\.slack\.com|push\.services\.mozilla\.com|fcm\.googleapis\.com|android\.googleapis\.com|notify\.windows\.com|push\.apple\.com)(?::\d+)?)\/[^\s"'\\<>,)]*/gi;
// ?token=…, &access_token=…, &X-Amz-Signature=…, &api_key=… and the like.
const SECRET_QUERY_PARAM =
  /([?&;][a-z0-9_.-]*(?:token|key|sig|secret|passw|pwd|auth|code|credential|session)[a-z0-9_.-]*=)[^&#\s"'\\<>]*/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// header.payload.signature, base64url, header and payload JSON objects (so "eyJ…").
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * Masks every pattern above. Cheap when there is nothing to mask (the common case on hot
 * paths): each pattern runs only when a plain substring search finds its marker.
 */
export function scrubSecrets(text: string): string {
  let out = text;
  if (out.includes("params: ")) out = out.replace(QUERY_PARAMS, "");
  if (out.includes("://")) out = out.replace(URL_USERINFO, "$1***@").replace(CAPABILITY_URL, "$1/***");
  // Also without a scheme: a logged path such as /stream?token=… carries it too.
  if (out.includes("=")) out = out.replace(SECRET_QUERY_PARAM, "$1***");
  if (out.includes("earer") || out.includes("asic")) out = out.replace(AUTH_SCHEME, "$1 ***");
  if (out.includes("eyJ")) out = out.replace(JWT, "[JWT]");
  if (out.includes("@")) out = maskEmails(out);
  return out;
}
