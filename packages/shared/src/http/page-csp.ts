/**
 * The policy of every page our servers serve (/docs, /push/, /inbox/): scripts, stylesheets and
 * fetches of this origin only (no inline script or style, no eval), images of its own or as
 * data: URIs, no <base>, no form submission, never framed. `extra` directives (a page's
 * service worker, say) go after connect-src.
 */
export function sameOriginPageCsp(...extra: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    ...extra,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
