import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { appendInboxItem } from "@fluxnotify/db/queries/inbox";
import { dbTest as test } from "@fluxnotify/db/testing";
import { type InboxEvent, inboxEventsChannel } from "@fluxnotify/shared/contracts";
import { createMetricsRegistry } from "@fluxnotify/shared/metrics";
import { eventually } from "@fluxnotify/shared/testing";
import { describe, expect } from "vitest";
import { sign, startApi } from "./api-harness";
import { uniqueTenant } from "./helpers";
import { openStream, type Stream } from "./sse";

type Api = Awaited<ReturnType<typeof startApi>>;

/**
 * What the in-app worker does for one notification (apps/inapp-worker/src/strategy.ts): the
 * item into the inbox, then its announcement to the user's streams. `announce: false` leaves
 * the announcement out (one that was lost, or is late).
 */
async function notify(
  api: Api,
  tenantId: string,
  userId: string,
  options: { title?: string; announce?: boolean; pad?: number } = {},
) {
  const notificationId = randomUUID();
  const appended = await appendInboxItem(api.inbox.sql, {
    tenantId,
    userId,
    notificationId,
    eventType: "com.fluxpay.payment.approved",
    title: options.title ?? `title ${notificationId.slice(0, 4)}`,
    body: "결제가 승인되었습니다.",
    createdAt: new Date().toISOString(),
    data: { amount: "15000", currency: "KRW", ...(options.pad ? { pad: "x".repeat(options.pad) } : {}) },
  });
  const { readAt: _readAt, ...message } = appended.entry.item;
  const event: InboxEvent = {
    type: "notification",
    seq: appended.entry.seq,
    message,
    unread: appended.unread,
  };
  if (options.announce !== false) await announce(api, tenantId, userId, event);
  return { notificationId, seq: appended.entry.seq, event };
}

const announce = (api: Api, tenantId: string, userId: string, event: InboxEvent) =>
  api.redis.publish(inboxEventsChannel("", tenantId, userId), JSON.stringify(event));

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the inbox: feed and read state (CONTRACT §4)", () => {
  test("newest first with keyset pages, unread filter, exact counts; read is idempotent; read-all; others see nothing", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("inbox");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const other = await sign({ sub: "lee", tenant, roles: [] });
    const elsewhere = await sign({ sub: "kim", tenant: uniqueTenant("inbox"), roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const empty = await api.call("GET", "/api/v1/notifications/inbox", token);
      expect(empty).toMatchObject({ status: 200, body: { items: [], unreadCount: 0, nextCursor: null } });

      const sent = [];
      for (let n = 0; n < 5; n += 1) sent.push(await notify(api, tenant, "kim", { title: `n${n}` }));
      const first = await api.call("GET", "/api/v1/notifications/inbox?limit=2", token);
      expect(first.status).toBe(200);
      const page1 = first.body as {
        items: Array<Record<string, unknown>>;
        unreadCount: number;
        nextCursor: string;
      };
      expect(page1.items.map((item) => item.title)).toEqual(["n4", "n3"]);
      expect(page1.unreadCount).toBe(5);
      expect(page1.items[0]).toMatchObject({
        notificationId: sent[4]?.notificationId,
        eventType: "com.fluxpay.payment.approved",
        body: "결제가 승인되었습니다.",
        readAt: null,
        data: { amount: "15000", currency: "KRW" },
      });
      // A notification arriving between pages does not shift the next page.
      await notify(api, tenant, "kim", { title: "n5" });
      const second = await api.call(
        "GET",
        `/api/v1/notifications/inbox?limit=2&cursor=${page1.nextCursor}`,
        token,
      );
      expect((second.body?.items as Array<{ title: string }> | undefined)?.map((item) => item.title)).toEqual(
        ["n2", "n1"],
      );
      expect(second.body?.unreadCount).toBe(6);

      // Read one, twice: 204 both times, counted once.
      const target = sent[3]?.notificationId;
      expect((await api.call("POST", `/api/v1/notifications/inbox/${target}/read`, token)).status).toBe(204);
      expect((await api.call("POST", `/api/v1/notifications/inbox/${target}/read`, token)).status).toBe(204);
      const unread = await api.call("GET", "/api/v1/notifications/inbox?unread=true&limit=100", token);
      const unreadItems = unread.body?.items as Array<{ notificationId: string; title: string }>;
      expect(unreadItems.map((item) => item.title)).toEqual(["n5", "n4", "n2", "n1", "n0"]);
      expect(unread.body?.unreadCount).toBe(5);
      const all = await api.call("GET", "/api/v1/notifications/inbox?limit=100", token);
      const read = (
        all.body?.items as Array<{ notificationId: string; readAt: string | null }> | undefined
      )?.find((item) => item.notificationId === target);
      expect(read?.readAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);

      // Another user of the tenant, or the same user id in another tenant: nothing, and 404.
      for (const stranger of [other, elsewhere]) {
        const theirs = await api.call("GET", "/api/v1/notifications/inbox", stranger);
        expect(theirs.body).toMatchObject({ items: [], unreadCount: 0 });
        const attempt = await api.call(
          "POST",
          `/api/v1/notifications/inbox/${sent[0]?.notificationId}/read`,
          stranger,
        );
        expect(attempt.status).toBe(404);
        expect(attempt.contentType).toContain("application/problem+json");
        expect((await api.call("POST", "/api/v1/notifications/inbox/read-all", stranger)).body).toEqual({
          updated: 0,
        });
      }
      expect((await api.call("GET", "/api/v1/notifications/inbox", token)).body?.unreadCount).toBe(5);
      expect((await api.call("POST", `/api/v1/notifications/inbox/${randomUUID()}/read`, token)).status).toBe(
        404,
      );

      expect((await api.call("POST", "/api/v1/notifications/inbox/read-all", token)).body).toEqual({
        updated: 5,
      });
      expect((await api.call("POST", "/api/v1/notifications/inbox/read-all", token)).body).toEqual({
        updated: 0,
      });
      expect((await api.call("GET", "/api/v1/notifications/inbox", token)).body?.unreadCount).toBe(0);

      // Bad input: 400 problems, never a 500.
      for (const query of ["limit=0", "limit=101", "cursor=nope", "unread=yes", `cursor=${"A".repeat(65)}`]) {
        const bad = await api.call("GET", `/api/v1/notifications/inbox?${query}`, token);
        expect([query, bad.status, bad.contentType]).toEqual([
          query,
          400,
          "application/problem+json; charset=utf-8",
        ]);
      }
      expect((await api.call("GET", "/api/v1/notifications/inbox")).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  test("the unread count stays exact under concurrent reads, read-alls and new notifications", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("race");
    const token = await sign({ sub: "park", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    try {
      const seed = await Promise.all(Array.from({ length: 20 }, () => notify(api, tenant, "park")));
      const work: Array<Promise<unknown>> = [];
      for (let n = 0; n < 60; n += 1) {
        if (n % 3 === 0) work.push(notify(api, tenant, "park"));
        else if (n % 17 === 0) work.push(api.call("POST", "/api/v1/notifications/inbox/read-all", token));
        else {
          const item = seed[n % seed.length];
          work.push(api.call("POST", `/api/v1/notifications/inbox/${item?.notificationId}/read`, token));
        }
      }
      await Promise.all(work);
      const [actual] = await database.sql<{ unread: number; total: number }[]>`
        select count(*) filter (where read_at is null)::int as unread, count(*)::int as total
        from inbox_items where tenant_id = ${tenant} and user_id = 'park'`;
      const feed = await api.call("GET", "/api/v1/notifications/inbox", token);
      expect(actual?.total).toBe(40);
      expect(feed.body?.unreadCount).toBe(actual?.unread);
      // The seqs have no gaps, whatever the concurrency.
      const seqs = await database.sql<{ seq: number }[]>`
        select seq::int as seq from inbox_items where tenant_id = ${tenant} and user_id = 'park' order by seq`;
      expect(seqs.map((row) => row.seq)).toEqual(Array.from({ length: 40 }, (_, n) => n + 1));
    } finally {
      await api.close();
    }
  });
});

describe("the inbox stream (SSE)", () => {
  test("unread on connect, notifications live with increasing ids, counts after reads; another user's stream hears nothing", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("live");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const lee = await sign({ sub: "lee", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    const url = `${api.base}/api/v1/notifications/stream`;
    const mine = await openStream(url, auth(token));
    const theirs = await openStream(url, auth(lee));
    try {
      expect(mine.status).toBe(200);
      expect(mine.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(mine.headers.get("cache-control")).toBe("no-cache, no-transform");
      await eventually(() => mine.unreadCounts().length === 1);
      expect(mine.unreadCounts()).toEqual([0]);

      const one = await notify(api, tenant, "kim", { title: "첫 번째" });
      const two = await notify(api, tenant, "kim", { title: "second" });
      await eventually(() => mine.notifications().length === 2);
      expect(mine.notifications()).toMatchObject([
        { id: "1", notificationId: one.notificationId, title: "첫 번째", data: { amount: "15000" } },
        { id: "2", notificationId: two.notificationId, title: "second" },
      ]);
      expect(mine.notifications()[0]).not.toHaveProperty("readAt");
      await eventually(() => mine.unreadCounts().at(-1) === 2);

      await api.call("POST", `/api/v1/notifications/inbox/${one.notificationId}/read`, token);
      await eventually(() => mine.unreadCounts().at(-1) === 1);
      await api.call("POST", "/api/v1/notifications/inbox/read-all", token);
      await eventually(() => mine.unreadCounts().at(-1) === 0);
      expect(mine.unreadCounts()).toEqual([0, 1, 2, 1, 0]);

      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(theirs.notifications()).toEqual([]);
      expect(theirs.unreadCounts()).toEqual([0]);
    } finally {
      await Promise.all([mine.close(), theirs.close()]);
      await api.close();
    }
  });

  test("a stream token opens one stream, once; unknown, used or expired ones are 401", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("token");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const api = await startApi({ database, logger, registry }, {}, { tokenTtlSeconds: 1 });
    try {
      const issued = await api.call("POST", "/api/v1/notifications/stream-token", token);
      expect(issued.status).toBe(200);
      const { token: streamToken, expiresIn } = issued.body as { token: string; expiresIn: number };
      expect(expiresIn).toBe(1);
      expect(streamToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await api.call("POST", "/api/v1/notifications/stream-token")).status).toBe(401);

      const stream = await openStream(`${api.base}/api/v1/notifications/stream?token=${streamToken}`);
      expect(stream.status).toBe(200);
      await notify(api, tenant, "kim");
      await eventually(() => stream.notifications().length === 1);
      await stream.close();

      const again = await fetch(`${api.base}/api/v1/notifications/stream?token=${streamToken}`);
      expect(again.status).toBe(401);
      expect(again.headers.get("content-type")).toContain("application/problem+json");
      expect(((await again.json()) as { detail: string }).detail).toMatch(/unknown, expired or already used/);
      const tampered = `${streamToken.slice(0, -1)}${streamToken.endsWith("A") ? "B" : "A"}`;
      expect((await fetch(`${api.base}/api/v1/notifications/stream?token=${tampered}`)).status).toBe(401);
      expect((await fetch(`${api.base}/api/v1/notifications/stream?token=short`)).status).toBe(401);
      expect((await fetch(`${api.base}/api/v1/notifications/stream`)).status).toBe(401);

      const late = (await api.call("POST", "/api/v1/notifications/stream-token", token)).body as {
        token: string;
      };
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await fetch(`${api.base}/api/v1/notifications/stream?token=${late.token}`)).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  test("resume with Last-Event-ID (header or query): what was missed comes first, in order, once, then live", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("resume");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    const url = `${api.base}/api/v1/notifications/stream`;
    try {
      const first = await openStream(url, auth(token));
      await eventually(() => first.unreadCounts().length === 1);
      await notify(api, tenant, "kim");
      await notify(api, tenant, "kim");
      await eventually(() => first.notifications().length === 2);
      await first.close();

      // Missed while disconnected: three, one of them never announced at all.
      const missed = [
        await notify(api, tenant, "kim"),
        await notify(api, tenant, "kim", { announce: false }),
        await notify(api, tenant, "kim"),
      ];
      const resumed = await openStream(url, { ...auth(token), "last-event-id": "2" });
      await eventually(() => resumed.notifications().length === 3 && resumed.unreadCounts().length === 1);
      expect(resumed.notifications().map((n) => [n.id, n.notificationId])).toEqual(
        missed.map((n) => [String(n.seq), n.notificationId]),
      );
      expect(resumed.unreadCounts()).toEqual([5]);
      // The missed ones came before the count of connect, live ones after it.
      expect(resumed.events.filter((e) => e.event !== "comment").map((e) => e.event)).toEqual([
        "notification",
        "notification",
        "notification",
        "unread",
      ]);
      const live = await notify(api, tenant, "kim");
      await eventually(() => resumed.notifications().length === 4);
      expect(resumed.notifications()[3]).toMatchObject({ id: "6", notificationId: live.notificationId });
      await resumed.close();

      // The query form, as a client reconnecting with a new stream token sends it.
      const streamToken = (
        (await api.call("POST", "/api/v1/notifications/stream-token", token)).body as {
          token: string;
        }
      ).token;
      const viaQuery = await openStream(`${url}?token=${streamToken}&lastEventId=4`);
      await eventually(() => viaQuery.notifications().length === 2 && viaQuery.unreadCounts().length === 1);
      expect(viaQuery.notifications().map((n) => n.id)).toEqual(["5", "6"]);
      await viaQuery.close();

      // An id past the inbox's head (a reset store, a forged id) resumes from the head.
      const ahead = await openStream(url, { ...auth(token), "last-event-id": "999" });
      await eventually(() => ahead.unreadCounts().length === 1);
      const after = await notify(api, tenant, "kim");
      await eventually(() => ahead.notifications().length === 1);
      expect(ahead.notifications()[0]).toMatchObject({ id: "7", notificationId: after.notificationId });
      await ahead.close();

      for (const bad of ["abc", "-1", "1".repeat(16)]) {
        const response = await fetch(url, { headers: { ...auth(token), "last-event-id": bad } });
        expect([bad, response.status]).toEqual([bad, 400]);
      }
    } finally {
      await api.close();
    }
  });

  test("announcements out of order or twice: each notification once, in seq order (the gap read from the inbox)", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("order");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const api = await startApi({ database, logger, registry });
    const stream = await openStream(`${api.base}/api/v1/notifications/stream`, auth(token));
    try {
      await eventually(() => stream.unreadCounts().length === 1);
      // Two in-app workers: the second item's announcement overtakes the first's.
      const a = await notify(api, tenant, "kim", { announce: false });
      const b = await notify(api, tenant, "kim", { announce: false });
      await announce(api, tenant, "kim", b.event);
      await announce(api, tenant, "kim", a.event);
      await announce(api, tenant, "kim", b.event);
      await api.redis.publish(inboxEventsChannel("", tenant, "kim"), "not an announcement");
      const c = await notify(api, tenant, "kim");
      await eventually(() => stream.notifications().length === 3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(stream.notifications().map((n) => [n.id, n.notificationId])).toEqual([
        ["1", a.notificationId],
        ["2", b.notificationId],
        ["3", c.notificationId],
      ]);
      // Counts never go back to an older version.
      expect(stream.unreadCounts()).toEqual([0, 2, 3]);
    } finally {
      await stream.close();
      await api.close();
    }
  });

  test("per-user cap across the process (429 with Retry-After); heartbeat comments; shutdown ends streams with retry:", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("cap");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    // Node would end a response whose request outlived requestTimeout: a stream must not.
    const api = await startApi(
      { database, logger, registry },
      {},
      { maxStreamsPerUser: 2, heartbeatMs: 300 },
      { headersTimeoutMs: 400, requestTimeoutMs: 800 },
    );
    const url = `${api.base}/api/v1/notifications/stream`;
    try {
      const one = await openStream(url, auth(token));
      const two = await openStream(url, auth(token));
      const refused = await fetch(url, { headers: auth(token) });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBeTruthy();
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      await one.close();
      // The slot is given back when a stream ends.
      const three = (await eventually(async () => {
        const attempt = await openStream(url, auth(token));
        if (attempt.status === 200) return attempt;
        await attempt.close();
        return undefined;
      })) as Stream;

      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(two.ended).toBe(false);
      expect(two.events.filter((e) => e.event === "comment").length).toBeGreaterThanOrEqual(2);

      await api.inbox.hub.close();
      await eventually(() => two.ended && three.ended);
      const retry = two.events.find((e) => e.retry !== undefined)?.retry;
      expect(retry).toBeGreaterThanOrEqual(1_000);
      expect(retry).toBeLessThanOrEqual(5_000);
      expect((await fetch(url, { headers: auth(token) })).status).toBe(503);
      await two.close();
      await three.close();
    } finally {
      await api.close();
    }
  });

  test("a client that stops reading is dropped, not buffered for", async ({ database, logger, registry }) => {
    const tenant = uniqueTenant("slow");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const api = await startApi({ database, logger, registry }, {}, { maxBufferedBytes: 64 * 1024 });
    const port = Number(new URL(api.base).port);
    const socket = connect(port, "127.0.0.1");
    try {
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(
        `GET /api/v1/notifications/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
      // Reads nothing from now on: the kernel's buffers fill, then the server's.
      socket.pause();
      await eventually(() => api.inbox.hub.size === 1);
      let seq = 0;
      const message = { notificationId: "x", eventType: "e", title: "t", body: "b", createdAt: "", data: {} };
      while (api.inbox.hub.size === 1 && seq < 4_000) {
        const pipeline = api.redis.pipeline();
        for (let n = 0; n < 50; n += 1) {
          seq += 1;
          const event: InboxEvent = {
            type: "notification",
            seq,
            message: { ...message, notificationId: `n-${seq}`, body: "x".repeat(16_000) },
            unread: { unreadCount: seq, version: seq },
          };
          pipeline.publish(inboxEventsChannel("", tenant, "kim"), JSON.stringify(event));
        }
        await pipeline.exec();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await eventually(() => api.inbox.hub.size === 0);
      const ended = await registry.getSingleMetric("inbox_streams_ended_total")?.get();
      expect(ended?.values.find((v) => v.labels.reason === "slow")?.value).toBe(1);
    } finally {
      socket.destroy();
      await api.close();
    }
  });

  test("CORS: an allow-listed origin may call the inbox endpoints (preflight included); others and other paths get no CORS headers", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("cors");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const api = await startApi(
      { database, logger, registry },
      {},
      { allowedOrigins: ["https://shop.example"] },
    );
    try {
      const preflight = await fetch(`${api.base}/api/v1/notifications/stream-token`, {
        method: "OPTIONS",
        headers: {
          origin: "https://shop.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("https://shop.example");
      expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
      expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
      const feed = await fetch(`${api.base}/api/v1/notifications/inbox`, {
        headers: { ...auth(token), origin: "https://shop.example" },
      });
      expect(feed.status).toBe(200);
      expect(feed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
      expect(feed.headers.get("vary")).toMatch(/Origin/);

      const stranger = await fetch(`${api.base}/api/v1/notifications/inbox`, {
        headers: { ...auth(token), origin: "https://evil.example" },
      });
      expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
      const settings = await fetch(`${api.base}/api/v1/notifications/settings`, {
        headers: { ...auth(token), origin: "https://shop.example" },
      });
      expect(settings.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await api.close();
    }
  });

  test("two query-api instances, no sticky sessions: streams on either hear every notification and every read made through the other", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("lb");
    const token = await sign({ sub: "kim", tenant, roles: [] });
    const a = await startApi({ database, logger, registry });
    // Its own metrics, as a second process has.
    const b = await startApi({ database, logger, registry: createMetricsRegistry("query-api-b") });
    const onA = await openStream(`${a.base}/api/v1/notifications/stream`, auth(token));
    const onB = await openStream(`${b.base}/api/v1/notifications/stream`, auth(token));
    try {
      await eventually(() => onA.unreadCounts().length === 1 && onB.unreadCounts().length === 1);
      const sent = await notify(a, tenant, "kim");
      await eventually(() => onA.notifications().length === 1 && onB.notifications().length === 1);
      expect(onB.notifications()[0]?.notificationId).toBe(sent.notificationId);
      // Read through B: A's stream follows.
      await b.call("POST", `/api/v1/notifications/inbox/${sent.notificationId}/read`, token);
      await eventually(() => onA.unreadCounts().at(-1) === 0 && onB.unreadCounts().at(-1) === 0);
      expect(onA.unreadCounts()).toEqual([0, 1, 0]);
    } finally {
      await Promise.all([onA.close(), onB.close()]);
      await Promise.all([a.close(), b.close()]);
    }
  });
});
