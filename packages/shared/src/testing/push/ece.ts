import { createDecipheriv, createECDH, type ECDH, hkdfSync, randomBytes } from "node:crypto";

/**
 * The browser's side of RFC 8291, written from the RFCs with node:crypto alone, so the
 * stand-in checks an implementation (web-push, http_ece) instead of sharing its code.
 */

/** What a browser keeps of a subscription: its P-256 key pair and the auth secret. */
export interface BrowserKeys {
  ecdh: ECDH;
  auth: Buffer;
}

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A subscription as `PushManager.subscribe()` makes one: a fresh P-256 pair and a 16-byte secret. */
export function newBrowserSubscription(endpoint: string): {
  subscription: BrowserSubscription;
  keys: BrowserKeys;
} {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    subscription: {
      endpoint,
      keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
    },
    keys: { ecdh, auth },
  };
}

export class DecryptError extends Error {
  override name = "DecryptError";
}

const HEADER_FIXED = 16 + 4 + 1; // salt, rs, idlen (RFC 8188 §2.1)
const TAG = 16;

/**
 * Decrypts an `aes128gcm` push message body (RFC 8291 §3.4, RFC 8188 §2). The application
 * server's ephemeral public key is the header's keyid; one record only (RFC 8291 §4: an
 * application server MUST use a single record), ending with the 0x02 delimiter.
 */
export function decryptPushMessage(body: Buffer, keys: BrowserKeys): Buffer {
  if (body.length < HEADER_FIXED) throw new DecryptError("body shorter than the aes128gcm header");
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20] ?? 0;
  if (rs < 18) throw new DecryptError(`record size ${rs} below the minimum of 18`);
  if (idlen !== 65)
    throw new DecryptError(`keyid must be the 65-byte server public key (got ${idlen} bytes)`);
  const serverPublic = body.subarray(HEADER_FIXED, HEADER_FIXED + idlen);
  const records = body.subarray(HEADER_FIXED + idlen);
  if (records.length <= TAG) throw new DecryptError("no record after the header");
  if (records.length > rs) throw new DecryptError("more than one record (RFC 8291 requires a single one)");

  let ecdhSecret: Buffer;
  try {
    ecdhSecret = keys.ecdh.computeSecret(serverPublic);
  } catch {
    throw new DecryptError("keyid is not a point on P-256");
  }
  const browserPublic = keys.ecdh.getPublicKey();
  // RFC 8291 §3.3/§3.4: IKM from the ECDH secret and the auth secret, then RFC 8188's CEK and nonce.
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), browserPublic, serverPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));

  // Record 0: the nonce XOR the sequence number is the nonce itself.
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - TAG));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(records.subarray(0, records.length - TAG)), decipher.final()]);
  } catch {
    throw new DecryptError("authentication failed (wrong keys, or a tampered body)");
  }
  // Padding is zeros after the delimiter; the last (here: only) record's delimiter is 0x02.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (end < 0 || plain[end] !== 2) throw new DecryptError("the only record lacks the 0x02 final delimiter");
  return plain.subarray(0, end);
}
