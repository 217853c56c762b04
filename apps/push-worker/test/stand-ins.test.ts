import { generateKeyPairSync } from "node:crypto";
import {
  FCM_SCOPE,
  startFcmService,
  startWebPushService,
  verifyVapid,
} from "@fluxnotify/shared/testing/push";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";
import { importPKCS8, SignJWT } from "jose";
import { expect, test, vi } from "vitest";
import webpush from "web-push";

// The stand-ins are what the worker's tests trust: here they must refuse what a broken
// sender would send, each for its own reason.

const vapid = { ...generateVapidKeys(), subject: "mailto:ops@fluxnotify.example" };

async function post(
  endpoint: string,
  request: { headers: Record<string, string | number>; body?: Buffer | null },
  edit: (headers: Record<string, string>) => void = () => {},
) {
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => name !== "Content-Length")
      .map(([name, value]) => [name, String(value)]),
  );
  edit(headers);
  const response = await fetch(endpoint, { method: "POST", headers, body: request.body ?? null });
  return { status: response.status, text: await response.text() };
}

const withHeader = (name: string, value: string) => (headers: Record<string, string>) => {
  headers[name] = value;
};

const details = (
  subscription: webpush.PushSubscription,
  payload: string | Buffer,
  options: Partial<webpush.RequestOptions> = {},
) =>
  webpush.generateRequestDetails(subscription, payload, {
    vapidDetails: vapid,
    TTL: 60,
    contentEncoding: "aes128gcm",
    ...options,
  });

test("the Web Push stand-in decrypts what web-push encrypts, and refuses bad VAPID, undecryptable or oversized bodies", async () => {
  const service = await startWebPushService({ vapidPublicKey: vapid.publicKey });
  try {
    const sub = service.createBrowserSubscription();
    const other = service.createBrowserSubscription();
    expect(
      await post(sub.endpoint, details(sub, '{"hello":"세계"}', { urgency: "high", topic: "abc" })),
    ).toMatchObject({
      status: 201,
    });
    expect(service.received[0]).toMatchObject({
      payload: { hello: "세계" },
      ttl: 60,
      urgency: "high",
      topic: "abc",
    });

    const wrongKey = { ...generateVapidKeys(), subject: vapid.subject };
    const refusals = [
      // Signed by another key, and presented with it: the JWT verifies, but k is not the expected key.
      [401, await post(sub.endpoint, details(sub, "x", { vapidDetails: wrongKey }))],
      // Signed by another key, presented with the expected one: the signature fails.
      [
        401,
        await post(sub.endpoint, details(sub, "x", { vapidDetails: wrongKey }), (h) => {
          h.Authorization = (h.Authorization ?? "").replace(/k=\S+/, `k=${vapid.publicKey}`);
        }),
      ],
      // A token for another push service's origin.
      [
        401,
        await post(sub.endpoint, details(sub, "x"), (h) => {
          h.Authorization = webpush.getVapidHeaders(
            "https://fcm.googleapis.com",
            vapid.subject,
            vapid.publicKey,
            vapid.privateKey,
            "aes128gcm",
          ).Authorization;
        }),
      ],
      [401, await post(sub.endpoint, details(sub, "x"), (h) => void delete h.Authorization)],
      // k: 65 bytes starting 0x04 but no point on the curve (nor the expected key).
      [
        401,
        await post(sub.endpoint, details(sub, "x"), (h) => {
          h.Authorization = (h.Authorization ?? "").replace(
            /k=\S+/,
            `k=${Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString("base64url")}`,
          );
        }),
      ],
      // Encrypted for another browser's keys.
      [400, await post(sub.endpoint, details(other, "x"))],
      [400, await post(sub.endpoint, details(sub, "x"), withHeader("Content-Encoding", "aesgcm"))],
      [400, await post(sub.endpoint, details(sub, "x"), (h) => void delete h.TTL)],
      [400, await post(sub.endpoint, details(sub, "x"), withHeader("Topic", "not valid!"))],
      [400, await post(sub.endpoint, details(sub, "x"), withHeader("Urgency", "urgent"))],
      [413, await post(sub.endpoint, details(sub, "y".repeat(5_000)))],
      [404, await post(`${service.origin}/push/never-issued`, details(sub, "x"))],
    ] as const;
    for (const [i, [status, response]] of refusals.entries())
      expect(response.status, `refusal #${i}: ${response.text}`).toBe(status);

    const tampered = details(sub, "x");
    const last = tampered.body.length - 1;
    tampered.body.writeUInt8((tampered.body.readUInt8(last) ^ 1) & 0xff, last);
    expect((await post(sub.endpoint, tampered)).text).toMatch(/undecryptable: authentication failed/);
    expect(service.received).toHaveLength(1);

    // Stopped, it refuses connections; started again, it is back on the same port.
    await service.stop();
    await expect(post(sub.endpoint, details(sub, "x"))).rejects.toThrow();
    await service.start();
    expect((await post(sub.endpoint, details(sub, "x"))).status).toBe(201);
  } finally {
    await service.close();
  }
});

test("a VAPID token that verified is taken again without a signature check until it expires, and only as it was", async () => {
  const audience = "https://push.example";
  const header = webpush.getVapidHeaders(
    audience,
    vapid.subject,
    vapid.publicKey,
    vapid.privateKey,
    "aes128gcm",
    Math.floor(Date.now() / 1000) + 60, // exp, in seconds since the epoch
  ).Authorization as string;
  const claims = await verifyVapid(header, audience, vapid.publicKey);
  expect(await verifyVapid(header, audience, vapid.publicKey)).toEqual(claims);
  // A cached token is not a pass for another audience, another key or a changed signature.
  await expect(verifyVapid(header, "https://other.example", vapid.publicKey)).rejects.toThrow(/JWT refused/);
  await expect(verifyVapid(header, audience, generateVapidKeys().publicKey)).rejects.toThrow(
    /not the application server key/,
  );
  const forged = header.replace(
    /t=(\S+?)(,|$)/,
    (_, token: string, end: string) => `t=${token.slice(0, -2)}AA${end}`,
  );
  await expect(verifyVapid(forged, audience, vapid.publicKey)).rejects.toThrow(/JWT refused/);
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime((claims.exp + 1) * 1000);
    await expect(verifyVapid(header, audience, vapid.publicKey)).rejects.toThrow(/JWT refused/);
  } finally {
    vi.useRealTimers();
  }
});

test("the FCM stand-in grants tokens only for a valid assertion and takes only FCM-shaped messages", async () => {
  const fcm = await startFcmService();
  try {
    const account = fcm.serviceAccount();
    const assertion = async (claims: { scope?: string; aud?: string }, pem = account.private_key) =>
      new SignJWT({ scope: claims.scope ?? FCM_SCOPE })
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer(account.client_email)
        .setAudience(claims.aud ?? account.token_uri)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(await importPKCS8(pem, "RS256"));
    const grant = async (jwt: string) => {
      const response = await fetch(account.token_uri, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion: jwt,
        }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const strangerKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    expect(
      (await grant(await assertion({ scope: "https://www.googleapis.com/auth/cloud-platform.read-only" })))
        .json,
    ).toMatchObject({ error: "invalid_scope" });
    expect((await grant(await assertion({ aud: "https://oauth2.googleapis.com/token" }))).json).toMatchObject(
      { error: "invalid_grant" },
    );
    expect((await grant(await assertion({}, strangerKey))).json).toMatchObject({ error: "invalid_grant" });
    const ok = await grant(await assertion({}));
    expect(ok).toMatchObject({ status: 200, json: { token_type: "Bearer", expires_in: 3600 } });
    expect(fcm.tokenRequests).toBe(4);

    const send = async (token: string, message: unknown) => {
      const response = await fetch(`${fcm.baseUrl}/v1/projects/${fcm.projectId}/messages:send`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ message }),
      });
      return response.status;
    };
    const good = { token: "t", notification: { title: "a", body: "b" }, data: { n: "1" } };
    const accessToken = String(ok.json.access_token);
    expect(await send("ya29.made-up", good)).toBe(401);
    expect(await send(accessToken, { ...good, data: { n: 1 } })).toBe(400);
    expect(await send(accessToken, { token: "t", data: {} })).toBe(400);
    expect(await send(accessToken, good)).toBe(200);
    fcm.revokeTokens();
    expect(await send(accessToken, good)).toBe(401);
    expect(fcm.messages).toHaveLength(1);
  } finally {
    await fcm.close();
  }
});
