import { startFcmService } from "@fluxnotify/shared/testing/push";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { expect, test } from "vitest";
import { FCM_SCOPE, fcmTokenSource } from "../src/fcm-token";
import { createPushHttp } from "../src/http";

test("one token fetch serves concurrent callers; it is reused until shortly before expiry, then refreshed", async () => {
  const fcm = await startFcmService({ tokenLifetimeSeconds: 2 });
  const http = createPushHttp(2_000);
  try {
    const tokens = fcmTokenSource(fcm.serviceAccount(), http);
    const first = await Promise.all(Array.from({ length: 20 }, () => tokens.get()));
    expect(new Set(first).size).toBe(1);
    expect(fcm.tokenRequests).toBe(1);
    expect(await tokens.get()).toBe(first[0]);
    expect(fcm.tokenRequests).toBe(1);
    // Lifetime 2 s, refreshed a tenth of it early: a new token after 1.8 s.
    await new Promise((resolve) => setTimeout(resolve, 1_900));
    const second = await tokens.get();
    expect(second).not.toBe(first[0]);
    expect(fcm.tokenRequests).toBe(2);
    // A stale invalidation (of the old token) does not throw away the new one.
    tokens.invalidate(first[0] ?? "");
    expect(await tokens.get()).toBe(second);
    tokens.invalidate(second);
    expect(await tokens.get()).not.toBe(second);
    expect(fcm.tokenRequests).toBe(3);
  } finally {
    http.close();
    await fcm.close();
  }
});

test("the assertion is RS256 for the account's token URI with the FCM scope, an hour at most", async () => {
  const fcm = await startFcmService();
  let assertion = "";
  // A recording client in front of the real one: the stand-in checks it, the test reads it.
  const real = createPushHttp(2_000);
  const http = {
    post: (url: URL, options: Parameters<typeof real.post>[1], what: string) => {
      assertion = options.form?.assertion ?? "";
      return real.post(url, options, what);
    },
    close: () => real.close(),
  };
  try {
    const account = fcm.serviceAccount();
    await fcmTokenSource(account, http).get();
    expect(decodeProtectedHeader(assertion)).toEqual({
      alg: "RS256",
      typ: "JWT",
      kid: account.private_key_id,
    });
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: account.client_email, aud: account.token_uri, scope: FCM_SCOPE });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  } finally {
    http.close();
    await fcm.close();
  }
});

test("a token endpoint that is down is a transport error naming its host, not its URL's secrets", async () => {
  const fcm = await startFcmService();
  const http = createPushHttp(2_000);
  try {
    await fcm.stop();
    const error = await fcmTokenSource(fcm.serviceAccount(), http)
      .get()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "PushTransportError", code: "ECONNREFUSED" });
    expect((error as Error).message).toBe(
      `FCM token endpoint 127.0.0.1:${fcm.port} unreachable: ECONNREFUSED`,
    );
  } finally {
    http.close();
    await fcm.close();
  }
});
