import { importJWK, jwtVerify } from "jose";

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
  /** The `k` parameter: the application server's public key, base64url. */
  publicKey: string;
  /** The `t` parameter as sent (a sender may reuse one until it expires). */
  token: string;
}

export class VapidError extends Error {
  override name = "VapidError";
}

/** The JWK of an uncompressed P-256 point (0x04 ‖ x ‖ y), base64url. */
export function p256PublicJwk(publicKey: string) {
  const point = Buffer.from(publicKey, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new VapidError("k is not an uncompressed P-256 point");
  return {
    kty: "EC",
    crv: "P-256",
    x: point.subarray(1, 33).toString("base64url"),
    y: point.subarray(33).toString("base64url"),
  };
}

const MAX_LIFETIME_S = 24 * 3600;

/**
 * Tokens that verified, by token, key and audience. A sender reuses one token until it
 * expires (the push worker signs once an hour per push service), so the stand-in, like a
 * real push service, checks each one's signature once: an ES256 verify per message was a
 * tenth of the bench process's CPU. A hit is checked for expiry again; bounded.
 */
const verified = new Map<string, VapidClaims>();
const MAX_VERIFIED = 1_000;

/**
 * Checks an `Authorization: vapid t=<JWT>, k=<key>` header (RFC 8292 §2, §3): an ES256 JWT
 * that verifies against `k` (and `k` is `expectedKey` when given), `aud` the endpoint's
 * origin, `exp` in the future and at most 24 h away, `sub` a mailto: or https: contact.
 */
export async function verifyVapid(
  header: string | undefined,
  audience: string,
  expectedKey?: string,
): Promise<VapidClaims> {
  const match = /^vapid\s+(.+)$/i.exec(header ?? "");
  if (!match?.[1]) throw new VapidError("Authorization is not a vapid scheme");
  const params = new Map<string, string>();
  for (const part of match[1].split(",")) {
    const [name, ...rest] = part.trim().split("=");
    if (name) params.set(name.trim().toLowerCase(), rest.join("=").trim());
  }
  const token = params.get("t");
  const publicKey = params.get("k");
  if (!token || !publicKey) throw new VapidError("vapid needs both t= and k=");
  if (expectedKey !== undefined && publicKey !== expectedKey)
    throw new VapidError("k is not the application server key the subscription was made with");
  const cacheKey = `${audience} ${publicKey} ${token}`;
  const known = verified.get(cacheKey);
  if (known && known.exp > Date.now() / 1000) return known;
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK(p256PublicJwk(publicKey), "ES256");
  } catch (error) {
    if (error instanceof VapidError) throw error;
    throw new VapidError("k is not a point on P-256");
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ["ES256"], audience }));
  } catch (error) {
    throw new VapidError(`JWT refused: ${(error as Error).message}`);
  }
  const now = Math.floor(Date.now() / 1000);
  const { exp, sub } = payload;
  if (typeof exp !== "number") throw new VapidError("JWT has no exp");
  if (exp > now + MAX_LIFETIME_S) throw new VapidError("exp is more than 24 hours away");
  if (typeof sub !== "string" || !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/.test(sub))
    throw new VapidError("sub is not a mailto: or https: contact");
  const claims = { aud: audience, exp, sub, publicKey, token };
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(cacheKey, claims);
  return claims;
}
