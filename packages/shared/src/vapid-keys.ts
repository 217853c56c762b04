import { generateKeyPairSync } from "node:crypto";

/**
 * A fresh VAPID key pair (RFC 8292) in the forms browsers and VAPID_* take: the public key
 * as the 65-byte uncompressed P-256 point, the private key as its 32-byte scalar, base64url.
 */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  if (!jwk.x || !jwk.y || !jwk.d) throw new Error("P-256 key export lacks x, y or d");
  // JWK coordinates and scalar are fixed-length (RFC 7518 §6.2.1.2): 32 bytes each.
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x, "base64url"),
    Buffer.from(jwk.y, "base64url"),
  ]);
  return { publicKey: point.toString("base64url"), privateKey: jwk.d };
}
