import { decodeJwt, SignJWT } from "jose";
import { z } from "zod";
import { authEnv, resolveAuthEnv } from "../env";
import { ROLES } from "../http/auth";
import { hasNul, NUL_MESSAGE } from "../http/storable";

/**
 * Development tokens: the one place that signs a JWT the platform's HTTP APIs accept
 * (`createTokenVerifier` in http/auth.ts). bin/token, the demo, the dlq CLI, the e2e suite
 * and the API benchmarks all sign here, so a claim the verifier reads changes in one place.
 */

/** The roles the APIs know (CONTRACT §4). A plain user's token carries none. */
export const TOKEN_ROLES = [ROLES.admin, ROLES.operator] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;
/** A development token is for trying things out, not a credential to keep around. */
export const MAX_TTL_SECONDS = 30 * UNIT_SECONDS.d;

/** "90s", "15m", "1h", "7d" → seconds, at most 30 days. */
const ttl = z
  .string()
  .regex(/^[1-9][0-9]{0,6}[smhd]$/, "must be a whole number and a unit: 90s, 15m, 1h or 7d")
  .transform((text) => Number(text.slice(0, -1)) * UNIT_SECONDS[text.slice(-1) as keyof typeof UNIT_SECONDS])
  .refine((seconds) => seconds <= MAX_TTL_SECONDS, "must be at most 30d");

/** What the verifier accepts in `sub` and `tenant`: text a PostgreSQL text column can hold. */
const claimText = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be text") })
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .refine((text) => !hasNul(text), NUL_MESSAGE);

export const tokenRequest = z.object({
  userId: claimText,
  tenantId: claimText,
  roles: z
    .array(z.enum(TOKEN_ROLES, { error: `must be one of ${TOKEN_ROLES.join(", ")}` }))
    .default([])
    .transform((roles) => [...new Set(roles)]),
  ttl: ttl.prefault("1h"),
});
export type TokenRequest = z.input<typeof tokenRequest>;

export interface SignOptions {
  /** `iss` / `aud`, when the verifier is configured with AUTH_ISSUER / AUTH_AUDIENCE. */
  issuer?: string | undefined;
  audience?: string | undefined;
  now?: Date;
}

/** An HS256 JWT with the claims of CONTRACT §4 (`sub`, `tenant`, `roles`), `iat` and `exp`. */
export async function signToken(secret: string, request: TokenRequest, options: SignOptions = {}) {
  const claims = tokenRequest.parse(request);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({ tenant: claims.tenantId, roles: claims.roles })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + claims.ttl);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * What signing reads from the environment, for a script's own `loadEnv`. NODE_ENV is any
 * text here: a CLI given a token of its own must not fail on a NODE_ENV the apps would refuse.
 */
export const tokenSigningEnv = {
  NODE_ENV: z.string().default("development"),
  ...authEnv,
};
export type TokenSigningEnv = z.infer<z.ZodObject<typeof tokenSigningEnv>>;

/** Signing is not allowed here; `message` says why and what to do instead. */
export class TokenSigningRefused extends Error {
  override name = "TokenSigningRefused";
}

export interface DevTokenSigner {
  /** Where the key comes from, for the user to read: "AUTH_JWT_SECRET" or "the dev-only secret". */
  keySource: string;
  sign(request: TokenRequest): Promise<string>;
}

/**
 * Signs with the key this environment's apps verify with: AUTH_JWT_SECRET, or the dev-only
 * secret they fall back to when neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set
 * (resolveAuthEnv), adding `iss` / `aud` where AUTH_ISSUER / AUTH_AUDIENCE are set. Refused:
 * - NODE_ENV=production, whatever the key: production tokens come from the identity
 *   provider; a command that mints any user's or an operator's token from the deployment's
 *   secret would be a skeleton key lying around.
 * - AUTH_JWKS_URL without AUTH_JWT_SECRET: the apps then accept only the identity
 *   provider's RS256/ES256 tokens, so an HS256 one would be refused with 401 anyway.
 */
export function devTokenSigner(env: TokenSigningEnv): DevTokenSigner {
  if (env.NODE_ENV === "production")
    throw new TokenSigningRefused(
      "NODE_ENV=production: development tokens are not signed for production (tokens there come from the identity provider)",
    );
  const auth = resolveAuthEnv(env);
  const secret = auth.AUTH_JWT_SECRET;
  if (!secret)
    throw new TokenSigningRefused(
      "AUTH_JWKS_URL is set without AUTH_JWT_SECRET: the apps accept only the identity provider's tokens (RS256/ES256) here",
    );
  const options = { issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
  return {
    keySource: auth.usingDevJwtSecret ? "the dev-only secret" : "AUTH_JWT_SECRET",
    sign: (request) => signToken(secret, request, options),
  };
}

/**
 * What a token says (`sub`, `tenant`, `roles`, `exp`), read without verifying it: for a
 * script given a token, so it acts for the user the token names (the API verifies it on
 * every call), and for bin/token to describe what it minted.
 */
export function readToken(token: string): {
  userId: string;
  tenantId: string;
  roles: string[];
  expiresAt: Date | undefined;
} {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new Error("the token is not a JWT");
  }
  const parsed = z
    .object({
      sub: claimText,
      tenant: claimText,
      roles: z.array(z.string()).default([]),
      exp: z.number().optional(),
    })
    .safeParse(claims);
  if (!parsed.success) throw new Error("the token has no usable `sub`, `tenant` and `roles` claims");
  const { sub, tenant, roles, exp } = parsed.data;
  return {
    userId: sub,
    tenantId: tenant,
    roles,
    expiresAt: exp === undefined ? undefined : new Date(exp * 1000),
  };
}
