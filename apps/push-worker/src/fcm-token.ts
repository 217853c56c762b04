import { parseRetryAfter } from "@fluxnotify/shared/delivery";
import { NonRetryableError, RetryableError } from "@fluxnotify/shared/errors";
import { importPKCS8, SignJWT } from "jose";
import { describeBody, type PushHttp } from "./http";

export const FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** The fields of a Google service-account key file a sender uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri: string;
  private_key_id?: string | undefined;
  project_id?: string | undefined;
}

export interface FcmTokenSource {
  /** A valid access token: the cached one, or one fetched now (concurrent callers share the fetch). */
  get(): Promise<string>;
  /** FCM refused `token` (401): fetch a new one next time, unless a newer one is already cached. */
  invalidate(token: string): void;
}

/** Refreshes this long before expiry (capped at a tenth of a short lifetime). */
const REFRESH_EARLY_MS = 60_000;
const ASSERTION_LIFETIME_S = 3600;

/**
 * OAuth 2.0 access tokens for FCM from a service account, by the JWT bearer grant
 * (RFC 7523, Google's "service account" flow): an RS256 assertion signed with the account's
 * key, POSTed to the account's token URI. A token is reused until shortly before it
 * expires, and one refresh at a time is in flight however many sends wait for it.
 */
export function fcmTokenSource(account: ServiceAccountKey, http: PushHttp, now = Date.now): FcmTokenSource {
  const tokenUri = new URL(account.token_uri);
  let key: ReturnType<typeof importPKCS8> | undefined;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function assertion(): Promise<string> {
    key ??= importPKCS8(account.private_key, "RS256");
    const iat = Math.floor(now() / 1000);
    return new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({
        alg: "RS256",
        typ: "JWT",
        ...(account.private_key_id ? { kid: account.private_key_id } : {}),
      })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_S)
      .sign(await key);
  }

  async function fetchToken(): Promise<string> {
    const form = { grant_type: JWT_BEARER, assertion: await assertion() };
    const response = await http.post(tokenUri, { form }, "FCM token endpoint");
    const detail = `FCM token endpoint ${tokenUri.host} answered ${response.statusCode}`;
    if (response.statusCode === 429 || response.statusCode >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
      throw new RetryableError(
        "PUSH_FCM_TOKEN_UNAVAILABLE",
        detail,
        retryAfterMs === undefined ? {} : { retryAfterMs },
      );
    }
    if (response.statusCode !== 200) {
      // invalid_grant and friends: a revoked key or a wrong clock, fixed by an operator, not by retrying.
      throw new NonRetryableError(
        "PUSH_FCM_AUTH_FAILED",
        `${detail} (${describeBody(response.body)}): check FCM_SERVICE_ACCOUNT`,
      );
    }
    let grant: { access_token?: unknown; expires_in?: unknown };
    try {
      grant = JSON.parse(response.body);
    } catch {
      grant = {};
    }
    if (typeof grant.access_token !== "string" || typeof grant.expires_in !== "number")
      throw new RetryableError("PUSH_FCM_TOKEN_UNAVAILABLE", `${detail} without an access token`);
    const lifetimeMs = grant.expires_in * 1000;
    cached = {
      token: grant.access_token,
      refreshAt: now() + lifetimeMs - Math.min(REFRESH_EARLY_MS, lifetimeMs / 10),
    };
    return grant.access_token;
  }

  return {
    get() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
