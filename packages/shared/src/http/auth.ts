import type { NextFunction, Request, Response } from "express";
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";
import { HttpProblem } from "./problem";

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

const claimsSchema = z.object({
  sub: z.string().min(1),
  tenant: z.string().min(1),
  roles: z.array(z.string()).default([]),
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
        if (!claims.success) throw HttpProblem.unauthorized("token lacks the sub, tenant or roles claims");
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

/** Requires `Authorization: Bearer <JWT>` and sets `req.principal`. */
export function authenticate(verify: TokenVerifier) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw HttpProblem.unauthorized("missing bearer token");
    req.principal = await verify(match[1]);
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw HttpProblem.unauthorized("not authenticated");
  return req.principal;
}

export const isAdmin = (principal: Principal) => principal.roles.includes("admin");

export function requireRole(role: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!principalOf(req).roles.includes(role)) throw HttpProblem.forbidden(`requires the ${role} role`);
    next();
  };
}
