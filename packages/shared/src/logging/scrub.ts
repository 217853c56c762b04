/**
 * Pattern masking for text that may hold secrets nobody put in a named field: an error
 * message quoting a row, a URL inside a provider's error, a header echoed back. It runs over
 * every finished log line, so each pattern works on raw text and on JSON-escaped text alike:
 * a match never runs past a quote or a backslash, and a replacement never adds either.
 */

const EMAIL_DOMAIN = /[A-Za-z0-9.-]+\.[A-Za-z]{2,}/y;

/** A character of an address's local part: A-Z a-z 0-9 . _ % + - */
function isLocalPart(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 46 ||
    code === 95 ||
    code === 37 ||
    code === 43 ||
    code === 45
  );
}

/**
 * `alice@example.com` → `a***@example.com`: enough to correlate, not enough to harvest.
 * The same as replacing /([local])[local]*@(domain)/g with "$1***@$2", but it starts from
 * each "@" and looks around it instead of trying a match at every character of the line,
 * which is ten times cheaper on a log line holding one address.
 */
export function maskEmails(text: string): string {
  let at = text.indexOf("@");
  let out = "";
  let done = 0;
  while (at !== -1) {
    let start = at;
    while (start > done && isLocalPart(text.charCodeAt(start - 1))) start--;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = start < at ? EMAIL_DOMAIN.exec(text) : null;
    if (domain) {
      out += `${text.slice(done, start + 1)}***@${domain[0]}`;
      done = EMAIL_DOMAIN.lastIndex;
      at = text.indexOf("@", done);
    } else {
      at = text.indexOf("@", at + 1);
    }
  }
  return done === 0 ? text : out + text.slice(done);
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

// One scan for any pattern's marker: most lines hold none and leave here.
const MARKERS = /params: |:\/\/|=|earer|asic|eyJ|@/;

/**
 * Masks every pattern above. Cheap when there is nothing to mask (the common case on hot
 * paths): one scan for markers, then each pattern only when its marker is there.
 */
export function scrubSecrets(text: string): string {
  if (!MARKERS.test(text)) return text;
  let out = text;
  if (out.includes("params: ")) out = out.replace(QUERY_PARAMS, "");
  if (out.includes("://")) out = out.replace(URL_USERINFO, "$1***@").replace(CAPABILITY_URL, "$1/***");
  // Also without a scheme: a logged path such as /stream?token=… carries it too.
  if (out.includes("=")) out = out.replace(SECRET_QUERY_PARAM, "$1***");
  if (out.includes("earer") || out.includes("asic")) out = out.replace(AUTH_SCHEME, "$1 ***");
  if (out.includes("eyJ")) out = out.replace(JWT, "[JWT]");
  return maskEmails(out);
}
