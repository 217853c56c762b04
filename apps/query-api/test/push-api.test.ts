import { createECDH, randomBytes, randomUUID } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { settingsCacheKey } from "@fluxnotify/shared/contracts";
import { DEV_ONLY_VAPID_KEYS } from "@fluxnotify/shared/env";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { describe, expect, it } from "vitest";
import { maskEndpoint, maskToken } from "../src/http/push-subscriptions";
import { isP256Point } from "../src/http/push-target-body";
import { sign, startApi } from "./api-harness";
import { uniqueTenant } from "./helpers";

const PATH = "/api/v1/notifications/push-subscriptions";

/** What a browser's PushSubscription.toJSON() gives: a real P-256 key and a 16-byte secret. */
function browserSubscription(host = "fcm.googleapis.com") {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    endpoint: `https://${host}/fcm/send/${randomUUID()}:APA91b${randomBytes(24).toString("base64url")}`,
    expirationTime: null,
    keys: {
      p256dh: ecdh.getPublicKey().toString("base64url"),
      auth: randomBytes(16).toString("base64url"),
    },
  };
}

const fcmToken = () =>
  `${randomBytes(11).toString("base64url")}:APA91b${randomBytes(100).toString("base64url")}`;

type Item = { id: string; type: string; label: string | null; endpoint?: string; token?: string };

const itemsOf = (response: { body?: Record<string, unknown> }) => (response.body?.items ?? []) as Item[];

/** Raw text of a response: for asserting what never appears in it. */
async function rawText(base: string, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe("push subscriptions API", () => {
  test("the VAPID public key is public, cacheable, and a P-256 point", async ({
    database,
    logger,
    registry,
  }) => {
    const api = await startApi({ database, logger, registry });
    try {
      const response = await fetch(`${api.base}/api/v1/notifications/push/vapid-public-key`);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
      const body = (await response.json()) as { publicKey: string };
      expect(body).toEqual({ publicKey: DEV_ONLY_VAPID_KEYS.publicKey });
      expect(isP256Point(Buffer.from(body.publicKey, "base64url"))).toBe(true);
    } finally {
      await api.close();
    }
    const configured = createECDH("prime256v1");
    configured.generateKeys();
    const publicKey = configured.getPublicKey().toString("base64url");
    const other = await startApi(
      { database, logger, registry: createMetricsRegistry("second") },
      { vapidPublicKey: publicKey },
    );
    try {
      expect((await other.call("GET", "/api/v1/notifications/push/vapid-public-key")).body).toEqual({
        publicKey,
      });
    } finally {
      await other.close();
    }
  });

  test("register: 201, again 200 with the same id; a browser's toJSON() without type is accepted; keys and endpoint never echoed", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const subscription = browserSubscription();
      const first = await rawText(api.base, "POST", PATH, token, {
        type: "webpush",
        ...subscription,
        label: "  Work laptop  ",
      });
      expect(first.status).toBe(201);
      const created = JSON.parse(first.text) as Item & { createdAt: string; updatedAt: string };
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: "webpush",
        label: "Work laptop",
        endpoint: "https://fcm.googleapis.com/…",
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      for (const secret of [
        subscription.endpoint,
        subscription.keys.p256dh,
        subscription.keys.auth,
        "/fcm/send",
      ])
        expect(first.text).not.toContain(secret);

      // Exactly what PushSubscription.toJSON() gives: no type; the label it had is kept.
      const again = await api.call("POST", PATH, token, subscription);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: created.id, label: "Work laptop" });
      expect(Date.parse(again.body?.updatedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(created.updatedAt),
      );
      // New keys for the same endpoint (the browser re-subscribed): still the same device.
      const rekeyed = browserSubscription();
      const refreshed = await api.call("POST", PATH, token, {
        ...subscription,
        keys: rekeyed.keys,
        label: "",
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ id: created.id, label: null });
      const stored = await database.sql<{ keys: { p256dh: string; auth: string } }[]>`
        select keys from push_subscriptions where id = ${created.id}::uuid`;
      expect(stored[0]?.keys).toEqual(rekeyed.keys);

      const list = await api.call("GET", PATH, token);
      expect(itemsOf(list).map((item) => item.id)).toEqual([created.id]);
    } finally {
      await api.close();
    }
  });

  test("the same browser registered by another user of the tenant moves to them; another tenant gets its own row", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const otherTenant = uniqueTenant("push");
    const alice = await sign({ sub: "alice", tenant, roles: [] });
    const bob = await sign({ sub: "bob", tenant, roles: [] });
    const foreign = await sign({ sub: "alice", tenant: otherTenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const subscription = browserSubscription();
      const mine = await api.call("POST", PATH, alice, { ...subscription, label: "Alice's laptop" });
      expect(mine.status).toBe(201);
      for (const user of ["alice", "bob"]) await api.redis.set(settingsCacheKey(tenant, user), "sentinel");

      const moved = await api.call("POST", PATH, bob, subscription);
      expect(moved.status).toBe(200);
      // Same device, now Bob's; nothing of Alice's registration (her label) comes along.
      expect(moved.body).toMatchObject({ id: mine.body?.id, label: null });
      expect((await api.call("GET", PATH, alice)).body?.items).toEqual([]);
      expect(itemsOf(await api.call("GET", PATH, bob)).map((item) => item.id)).toEqual([mine.body?.id]);
      // Both users' cached routing (settings and push targets) is dropped.
      expect(await api.redis.exists(settingsCacheKey(tenant, "alice"))).toBe(0);
      expect(await api.redis.exists(settingsCacheKey(tenant, "bob"))).toBe(0);
      // Alice can no longer delete it.
      expect((await api.call("DELETE", `${PATH}/${mine.body?.id}`, alice)).status).toBe(404);

      const elsewhere = await api.call("POST", PATH, foreign, subscription);
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body?.id).not.toBe(mine.body?.id);
      expect(itemsOf(await api.call("GET", PATH, bob)).length).toBe(1);
    } finally {
      await api.close();
    }
  });

  test("FCM tokens: 201, again 200; listed masked to their last 6 characters", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const fcm = fcmToken();
      const created = await api.call("POST", PATH, token, { type: "fcm", token: fcm, label: "Phone" });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ type: "fcm", label: "Phone", token: `…${fcm.slice(-6)}` });
      const again = await api.call("POST", PATH, token, { type: "fcm", token: fcm });
      expect(again.status).toBe(200);
      expect(again.body?.id).toBe(created.body?.id);

      const subscription = browserSubscription("updates.push.services.mozilla.com");
      expect((await api.call("POST", PATH, token, subscription)).status).toBe(201);
      const list = await rawText(api.base, "GET", PATH, token);
      expect(list.status).toBe(200);
      for (const secret of [
        fcm,
        fcm.slice(0, 20),
        subscription.endpoint,
        subscription.keys.p256dh,
        subscription.keys.auth,
      ])
        expect(list.text).not.toContain(secret);
      expect(list.text).not.toContain('"keys"');
      const items = (JSON.parse(list.text) as { items: Item[] }).items;
      expect(items.map((item) => [item.type, item.endpoint ?? item.token])).toEqual([
        ["fcm", `…${fcm.slice(-6)}`],
        ["webpush", "https://updates.push.services.mozilla.com/…"],
      ]);
    } finally {
      await api.close();
    }
  });

  test("every bad body is a 400 problem naming the field and the reason", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    const good = browserSubscription();
    const point = Buffer.from(good.keys.p256dh, "base64url");
    const offCurve = Buffer.from(point);
    offCurve[64] = (offCurve[64] as number) ^ 1;
    const compressedMarker = Buffer.from(point);
    compressedMarker[0] = 0x02;
    const cases: Array<[string, unknown, RegExp]> = [
      [
        "p256dh too short",
        { ...good, keys: { ...good.keys, p256dh: point.subarray(0, 64).toString("base64url") } },
        /body\.keys\.p256dh: must decode to 65 bytes/,
      ],
      [
        "p256dh off the curve",
        { ...good, keys: { ...good.keys, p256dh: offCurve.toString("base64url") } },
        /body\.keys\.p256dh: is not a point on the P-256 curve/,
      ],
      [
        "p256dh not uncompressed",
        { ...good, keys: { ...good.keys, p256dh: compressedMarker.toString("base64url") } },
        /body\.keys\.p256dh: must be an uncompressed P-256 point/,
      ],
      [
        "p256dh not base64url",
        { ...good, keys: { ...good.keys, p256dh: `${good.keys.p256dh.slice(1)}+` } },
        /body\.keys\.p256dh: must be base64url/,
      ],
      [
        "auth 15 bytes",
        { ...good, keys: { ...good.keys, auth: randomBytes(15).toString("base64url") } },
        /body\.keys\.auth: must decode to 16 bytes/,
      ],
      [
        "auth 32 bytes",
        { ...good, keys: { ...good.keys, auth: randomBytes(32).toString("base64url") } },
        /body\.keys\.auth: must decode to 16 bytes/,
      ],
      ["auth missing", { ...good, keys: { p256dh: good.keys.p256dh } }, /body\.keys\.auth: required/],
      ["keys missing", { endpoint: good.endpoint }, /body\.keys: required/],
      ["endpoint missing", { keys: good.keys }, /body\.endpoint: required/],
      [
        "host not allow-listed",
        { ...good, endpoint: "https://push.evil.example/x" },
        /body\.endpoint: push endpoint host push\.evil\.example is not on the allow-list \(PUSH_ALLOWED_HOSTS\)/,
      ],
      [
        "allow-listed host as a suffix only",
        { ...good, endpoint: "https://fcm.googleapis.com.evil.example/x" },
        /not on the allow-list/,
      ],
      [
        "plain http",
        { ...good, endpoint: "http://fcm.googleapis.com/fcm/send/x" },
        /body\.endpoint: push endpoint URL must use https/,
      ],
      [
        "credentials in the URL",
        { ...good, endpoint: "https://u:p@fcm.googleapis.com/x" },
        /must not carry credentials/,
      ],
      [
        "not a URL",
        { ...good, endpoint: "fcm.googleapis.com/x" },
        /body\.endpoint: push endpoint URL is not a valid URL/,
      ],
      [
        "endpoint too long",
        { ...good, endpoint: `https://fcm.googleapis.com/${"x".repeat(2048)}` },
        /body\.endpoint: must be at most 2048 characters/,
      ],
      ["unknown type", { type: "apns", token: "abc" }, /body\.type: must be "webpush" or "fcm"/],
      ["unknown field", { ...good, lable: "typo" }, /unknown field: lable/],
      ["FCM token missing", { type: "fcm" }, /body\.token: required/],
      ["FCM token empty", { type: "fcm", token: "" }, /body\.token: must not be empty/],
      [
        "FCM token with a space",
        { type: "fcm", token: "abc def" },
        /body\.token: must be an FCM registration token/,
      ],
      [
        "FCM token with a quote",
        { type: "fcm", token: 'abc"}' },
        /body\.token: must be an FCM registration token/,
      ],
      [
        "FCM token too long",
        { type: "fcm", token: "a".repeat(4097) },
        /body\.token: must be at most 4096 characters/,
      ],
      [
        "FCM with web push fields",
        { type: "fcm", token: "abc", endpoint: good.endpoint },
        /unknown field: endpoint/,
      ],
      ["label too long", { ...good, label: "x".repeat(101) }, /body\.label: must be at most 100 characters/],
      [
        "label with a control character",
        { ...good, label: "bell\u0007" },
        /body\.label: must not contain control characters/,
      ],
      [
        "label with a bidi override",
        { ...good, label: "\u202etxt.exe" },
        /body\.label: must not contain control characters/,
      ],
      ["label not a string", { ...good, label: 5 }, /body\.label: must be a string/],
      [
        "expirationTime not a number",
        { ...good, expirationTime: "soon" },
        /body\.expirationTime: must be a number or null/,
      ],
      ["an array", [good], /body: /],
      ["null", null, /not valid JSON/],
    ];
    try {
      const outcomes: string[] = [];
      for (const [name, body, detail] of cases) {
        const response = await api.call("POST", PATH, token, body === null ? "null" : body);
        const problem = response.body as { detail?: string } | undefined;
        const ok =
          response.status === 400 &&
          response.contentType.includes("application/problem+json") &&
          detail.test(problem?.detail ?? "");
        outcomes.push(ok ? `${name}: ok` : `${name}: ${response.status} ${problem?.detail}`);
      }
      expect(outcomes).toEqual(cases.map(([name]) => `${name}: ok`));
      // None of them stored anything.
      expect((await api.call("GET", PATH, token)).body?.items).toEqual([]);
    } finally {
      await api.close();
    }
  });

  test("plain http to a loopback push service only with PUSH_ALLOW_INSECURE_LOOPBACK", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const subscription = { ...browserSubscription(), endpoint: `http://127.0.0.1:8999/push/${randomUUID()}` };
    const strict = await startApi(
      { database, logger, registry },
      { policy: { allowedHosts: ["127.0.0.1:8999"], allowInsecureLoopback: false } },
    );
    try {
      const refused = await strict.call("POST", PATH, token, subscription);
      expect(refused.status).toBe(400);
      expect(refused.body?.detail).toMatch(
        /body\.endpoint: push endpoint URL must use https \(got http for 127\.0\.0\.1:8999\)/,
      );
    } finally {
      await strict.close();
    }
    const local = await startApi(
      { database, logger, registry: createMetricsRegistry("second") },
      { policy: { allowedHosts: ["127.0.0.1:8999"], allowInsecureLoopback: true } },
    );
    try {
      const accepted = await local.call("POST", PATH, token, subscription);
      expect(accepted.status).toBe(201);
      expect(accepted.body?.endpoint).toBe("http://127.0.0.1:8999/…");
    } finally {
      await local.close();
    }
  });

  test("a user holds at most PUSH_MAX_TARGETS_PER_USER targets: the next is a 409, re-registering one is not", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const other = await sign({ sub: "u2", tenant, roles: [] });
    const api = await startApi({ database, logger, registry }, { maxTargetsPerUser: 3 });
    try {
      const devices = [browserSubscription(), browserSubscription(), { type: "fcm", token: fcmToken() }];
      const ids: string[] = [];
      for (const device of devices) {
        const response = await api.call("POST", PATH, token, device);
        expect(response.status).toBe(201);
        ids.push(response.body?.id as string);
      }
      const fourth = browserSubscription();
      const refused = await api.call("POST", PATH, token, fourth);
      expect(refused.status).toBe(409);
      expect(refused.contentType).toContain("application/problem+json");
      expect(refused.body?.detail).toMatch(/you have 3 push targets.*delete one/);
      // A device the user has already is not a new one.
      expect((await api.call("POST", PATH, token, devices[0])).status).toBe(200);
      // Nor can another user's device be moved to a user at the cap.
      const theirs = browserSubscription();
      expect((await api.call("POST", PATH, other, theirs)).status).toBe(201);
      expect((await api.call("POST", PATH, token, theirs)).status).toBe(409);
      expect(itemsOf(await api.call("GET", PATH, other)).length).toBe(1);

      // Concurrent registrations cannot pass the cap together.
      expect((await api.call("DELETE", `${PATH}/${ids[0]}`, token)).status).toBe(204);
      const racing = await Promise.all(
        Array.from({ length: 5 }, () => api.call("POST", PATH, token, browserSubscription())),
      );
      expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(itemsOf(await api.call("GET", PATH, token)).length).toBe(3);
    } finally {
      await api.close();
    }
  });

  test("delete: own → 204, another user's, unknown or malformed → 404; the cache key is dropped on every change", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const other = await sign({ sub: "u2", tenant, roles: [] });
    const stranger = await sign({ sub: "u1", tenant: uniqueTenant("push"), roles: [] });
    const api = await startApi({ database, logger, registry });
    const cacheKey = settingsCacheKey(tenant, "u1");
    try {
      await api.redis.set(cacheKey, "sentinel");
      const created = await api.call("POST", PATH, token, browserSubscription());
      expect(created.status).toBe(201);
      expect(await api.redis.exists(cacheKey)).toBe(0);
      const id = created.body?.id as string;

      await api.redis.set(cacheKey, "sentinel");
      for (const path of [
        `${PATH}/${randomUUID()}`,
        `${PATH}/not-a-uuid`,
        `${PATH}/123`,
        `${PATH}/${id.toUpperCase()}x`,
        `${PATH}/${encodeURIComponent(`{${id}}`)}`,
        `${PATH}/${encodeURIComponent("'; drop table push_subscriptions; --")}`,
      ]) {
        const response = await api.call("DELETE", path, token);
        expect([path, response.status, response.contentType]).toEqual([
          path,
          404,
          expect.stringContaining("application/problem+json"),
        ]);
      }
      expect((await api.call("DELETE", `${PATH}/${id}`, other)).status).toBe(404);
      expect((await api.call("DELETE", `${PATH}/${id}`, stranger)).status).toBe(404);
      // Nothing was deleted, so the cache was left alone.
      expect(await api.redis.get(cacheKey)).toBe("sentinel");
      expect(itemsOf(await api.call("GET", PATH, token)).length).toBe(1);

      const deleted = await api.call("DELETE", `${PATH}/${id}`, token);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect(await api.redis.exists(cacheKey)).toBe(0);
      expect((await api.call("GET", PATH, token)).body?.items).toEqual([]);
      expect((await api.call("DELETE", `${PATH}/${id}`, token)).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  test("401 without a token, 415 for a body that is not JSON, 503 when the cache cannot be invalidated", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("push");
    const token = await sign({ sub: "u1", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      for (const [method, path] of [
        ["GET", PATH],
        ["POST", PATH],
        ["DELETE", `${PATH}/${randomUUID()}`],
      ] as const) {
        const response = await api.call(
          method,
          path,
          undefined,
          method === "POST" ? browserSubscription() : undefined,
        );
        expect([method, response.status, response.contentType]).toEqual([
          method,
          401,
          expect.stringContaining("application/problem+json"),
        ]);
      }
      const form = await fetch(`${api.base}${PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
        body: JSON.stringify(browserSubscription()),
      });
      expect(form.status).toBe(415);
      expect(form.headers.get("content-type")).toContain("application/problem+json");

      // Redis down: the change is stored, the caller is told to retry, and the retry works.
      const subscription = browserSubscription();
      const del = api.redis.del.bind(api.redis);
      api.redis.del = (async () => {
        throw new Error("connection lost");
      }) as unknown as typeof api.redis.del;
      const unavailable = await api.call("POST", PATH, token, subscription);
      expect(unavailable.status).toBe(503);
      expect(unavailable.body?.detail).toMatch(/routing cache could not be invalidated; retry/);
      api.redis.del = del;
      const retried = await api.call("POST", PATH, token, subscription);
      expect(retried.status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe("masking", () => {
  it("shows an endpoint's origin only, and no more of a token than its last 6 characters", () => {
    expect(maskEndpoint("https://web.push.apple.com:443/QGx/abc?x=1")).toBe("https://web.push.apple.com/…");
    expect(maskEndpoint("http://127.0.0.1:8999/push/1")).toBe("http://127.0.0.1:8999/…");
    expect(maskEndpoint("not a url")).toBe("…");
    expect(maskToken("abcdefghijklmnop")).toBe("…klmnop");
    // Too short for its tail to hide anything: nothing of it.
    expect(maskToken("abcdefghijkl")).toBe("…");
    expect(maskToken("a")).toBe("…");
  });
});
