import type { NextFunction, Request, Response } from "express";
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";
import { HttpProblem } from "./problem";
import { storableText } from "./storable";

export interface Principal {
  userId: string;
  tenantId: string;
  roles: string[];
}

declare global {
  namespace Express {
    interface Request {
      principal?: Principal;
      requestId?: string;
    }
  }
}

export interface AuthOptions {
  /** HS256 shared secret. */
  jwtSecret?: string | undefined;
  /** RS256/ES256 keys, fetched and cached from this JWKS URL. */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** The AuthOptions an app's env (see `authEnv` in env.ts) describes. */
export function authOptionsFrom(env: {
  AUTH_JWT_SECRET?: string | undefined;
  AUTH_JWKS_URL?: string | undefined;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE?: string | undefined;
}): AuthOptions {
  return {
    jwtSecret: env.AUTH_JWT_SECRET,
    jwksUrl: env.AUTH_JWKS_URL,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
  };
}

/** Ids are compared with and stored in text columns: a claim they cannot hold is unusable. */
const claimText = storableText(256).min(1);
const claimsSchema = z.object({
  sub: claimText,
  tenant: claimText,
  roles: z.array(claimText).max(64).default([]),
});

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Verifies bearer JWTs with jose. Only the algorithms of the configured key material are
 * accepted (HS256 for a secret, RS256/ES256 for a JWKS), so `alg: none` and algorithm
 * confusion fail like any bad signature. Expiry is always checked.
 */
export function createTokenVerifier(options: AuthOptions): TokenVerifier {
  const keys: Array<{ key: Uint8Array | JWTVerifyGetKey; algorithms: string[] }> = [];
  if (options.jwtSecret)
    keys.push({ key: new TextEncoder().encode(options.jwtSecret), algorithms: ["HS256"] });
  if (options.jwksUrl)
    keys.push({ key: createRemoteJWKSet(new URL(options.jwksUrl)), algorithms: ["RS256", "ES256"] });
  if (keys.length === 0) throw new Error("authentication needs AUTH_JWT_SECRET or AUTH_JWKS_URL");

  return async (token) => {
    let lastError: unknown;
    for (const { key, algorithms } of keys) {
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ["exp"],
        });
        const claims = claimsSchema.safeParse(payload);
        if (!claims.success) {
          const fields = [...new Set(claims.error.issues.map((issue) => String(issue.path[0])))];
          throw HttpProblem.unauthorized(`token claims are missing or unusable: ${fields.join(", ")}`);
        }
        return { userId: claims.data.sub, tenantId: claims.data.tenant, roles: claims.data.roles };
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError instanceof HttpProblem) throw lastError;
    if (lastError instanceof joseErrors.JWTExpired) throw HttpProblem.unauthorized("token has expired");
    throw HttpProblem.unauthorized("token is malformed or its signature is invalid");
  };
}

/** The principal of `Authorization: Bearer <JWT>`; 401 without one, or with a bad one. */
export async function bearerPrincipal(req: Request, verify: TokenVerifier): Promise<Principal> {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw HttpProblem.unauthorized("missing bearer token");
  return verify(match[1]);
}

/** Requires `Authorization: Bearer <JWT>` and sets `req.principal`. */
export function authenticate(verify: TokenVerifier) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.principal = await bearerPrincipal(req, verify);
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw HttpProblem.unauthorized("not authenticated");
  return req.principal;
}

/**
 * CONTRACT §4: `admin` acts on its own tenant (its token's `tenant` claim); `operator`, the
 * platform's own operations staff, acts on every tenant whatever its token says.
 */
export const ROLES = { admin: "admin", operator: "operator" } as const;

export const isAdmin = (principal: Principal) => principal.roles.includes(ROLES.admin);
export const isOperator = (principal: Principal) => principal.roles.includes(ROLES.operator);

/** Lets the request through when the principal has at least one of `roles`. */
export function requireRole(...roles: string[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const held = principalOf(req).roles;
    if (!roles.some((role) => held.includes(role))) {
      throw HttpProblem.forbidden(`requires the ${roles.join(" or ")} role`);
    }
    next();
  };
}
