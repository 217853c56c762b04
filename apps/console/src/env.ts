import { authEnv, baseEnv, loadEnv, port } from "@fluxnotify/shared/env";
import { z } from "zod";

/** An upstream API's base: http(s), no query or fragment (its path, if any, is a prefix). */
const upstream = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const url = URL.parse(text);
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
        ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
        return z.NEVER;
      }
      if (url.search || url.hash || url.username || url.password) {
        ctx.addIssue({ code: "custom", message: "must have no query, fragment or credentials" });
        return z.NEVER;
      }
      url.pathname = url.pathname.replace(/\/+$/, "");
      return url;
    });

const shape = {
  ...baseEnv,
  PORT: port(8082),
  /** dlq-admin: /api/v1/admin/dlq and below are proxied there. */
  DLQ_ADMIN_URL: upstream("http://127.0.0.1:8081"),
  /** query-api: every other /api/v1/ path is proxied there. */
  QUERY_API_URL: upstream("http://127.0.0.1:8080"),
  /** An upstream must answer (its headers) within this, or the browser gets a 504. */
  PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(30_000),
  /** ... and connect within this, or a 502. */
  PROXY_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /**
   * A proxied response that sends nothing for this long is cut off: long enough for the
   * inbox stream's heartbeats (20 s), short enough that a stuck upstream frees its socket.
   */
  PROXY_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  /**
   * Development sign-in (POST /console/dev-token, never with NODE_ENV=production) signs
   * with the key the APIs verify with: AUTH_JWT_SECRET, or their dev-only fallback. The
   * console itself verifies nothing: the APIs check every token it forwards.
   */
  ...authEnv,
};

export function loadConsoleEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(shape, source);
}
