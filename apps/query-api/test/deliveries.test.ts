import { dbTest as test } from "@fluxnotify/db/testing";
import type { DeliveryEvent } from "@fluxnotify/shared/contracts";
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { fieldsOf, sign, startApi } from "./api-harness";
import { consumed, deliveryEvent, directProjector, snapshot, uniqueTenant } from "./helpers";

type Item = { notificationId: string; tenantId: string; status: string; attempts: number | null };
type Page = { items: Item[]; nextCursor: string | null };

/** A window no other test writes in, so an operator's unfiltered search holds only these rows. */
function uniqueWindow() {
  const year = 2200 + Math.floor(Math.random() * 700);
  const at = (minute: number) => new Date(Date.UTC(year, 4, 1, 12, minute)).toISOString();
  return { at, from: `${year}-05-01T00:00:00Z`, to: `${year}-05-02T00:00:00Z` };
}

describe("delivery search", () => {
  test("every filter, tenant scopes, keyset pages stable under inserts, and 400s for what cannot be searched", async ({
    database,
    logger,
    registry,
  }) => {
    const [a, b] = [uniqueTenant("a"), uniqueTenant("b")];
    const { at, from, to } = uniqueWindow();
    const u = (n: number) => `${a}-u${n}`;
    const project = directProjector(database.db, logger, registry);
    const e = (id: string, extra: Partial<DeliveryEvent>) =>
      deliveryEvent({ notificationId: `${a}-${id}`, tenantId: a, ...extra });
    // One batch per row: ids rise in this order, which breaks the tie of n3 and n4.
    for (const event of [
      e("n1", { userId: u(1), status: "SENT", createdAt: at(0), at: at(0) }),
      e("n2", {
        userId: u(1),
        channel: "SLACK",
        status: "FAILED",
        eventType: "com.fluxpay.payment.failed",
        createdAt: at(1),
        at: at(1),
        reasonCode: "SLACK_404",
        attempts: 1,
      }),
      e("n3", {
        userId: u(2),
        channel: "IN_APP",
        status: "PENDING",
        eventId: `${a}-order`,
        eventType: "com.fluxpay.order.created",
        createdAt: at(2),
        at: at(2),
      }),
      e("n4", {
        userId: u(2),
        status: "SKIPPED",
        eventId: `${a}-order`,
        eventType: "com.fluxpay.order.created",
        createdAt: at(2),
        at: at(2),
        recipient: null,
      }),
      e("n5", { userId: u(3), channel: "PUSH", status: "SENT", createdAt: at(3), at: at(3) }),
      deliveryEvent({ notificationId: `${b}-m1`, tenantId: b, userId: u(1), createdAt: at(1), at: at(1) }),
    ]) {
      await project([consumed(event)]);
    }
    const tokens = {
      adminA: await sign({ sub: "ops", tenant: a, roles: ["admin"] }),
      adminB: await sign({ sub: "ops", tenant: b, roles: ["admin"] }),
      operator: await sign({ sub: "staff", tenant: uniqueTenant("ops"), roles: ["operator"] }),
      user: await sign({ sub: u(1), tenant: a, roles: [] }),
    };
    const api = await startApi({ database, logger, registry });
    const search = async (token: keyof typeof tokens, query: string) => {
      const response = await api.call("GET", `/api/v1/dashboard/deliveries?${query}`, tokens[token]);
      return response.status === 200 ? (response.body as unknown as Page) : response.status;
    };
    const ids = async (token: keyof typeof tokens, query: string) => {
      const page = await search(token, query);
      return typeof page === "number"
        ? page
        : page.items.map((item) => item.notificationId.split("-").at(-1));
    };
    try {
      expect(await ids("adminA", "")).toEqual(["n5", "n4", "n3", "n2", "n1"]);
      expect(await ids("adminA", `tenant=${a}`)).toEqual(["n5", "n4", "n3", "n2", "n1"]);
      expect(await ids("adminA", `tenant=${b}`)).toBe(403);
      expect(await ids("user", "")).toBe(403);
      expect(await ids("adminB", "")).toEqual(["m1"]);
      expect(await ids("adminA", `userId=${u(1)}`)).toEqual(["n2", "n1"]);
      expect(await ids("adminA", `eventId=${a}-order`)).toEqual(["n4", "n3"]);
      expect(await ids("adminA", `notificationId=${a}-n3`)).toEqual(["n3"]);
      expect(await ids("adminA", `notificationId=${b}-m1`)).toEqual([]);
      expect(await ids("adminA", "channel=EMAIL")).toEqual(["n4", "n1"]);
      expect(await ids("adminA", "status=SENT")).toEqual(["n5", "n1"]);
      expect(await ids("adminA", "status=PENDING")).toEqual(["n3"]);
      expect(await ids("adminA", "eventType=order.created")).toEqual(["n4", "n3"]);
      expect(await ids("adminA", "eventType=com.fluxpay.payment.failed")).toEqual(["n2"]);
      expect(await ids("adminA", `from=${at(1)}&to=${at(3)}`)).toEqual(["n4", "n3", "n2"]);
      expect(await ids("adminA", "channel=EMAIL&status=SKIPPED")).toEqual(["n4"]);
      // An operator: every tenant's (the window holds only this test's), or one named. m1
      // and n2 share a created_at; m1 was stored later (higher id), so it comes first.
      expect(await ids("operator", `from=${from}&to=${to}`)).toEqual(["n5", "n4", "n3", "m1", "n2", "n1"]);
      expect(await ids("operator", `userId=${u(1)}`)).toEqual(["m1", "n2", "n1"]);
      expect(await ids("operator", `userId=${u(1)}&tenant=${b}`)).toEqual(["m1"]);

      const first = (await search("adminA", "limit=2")) as Page;
      expect(first.items.map((i) => i.notificationId)).toEqual([`${a}-n5`, `${a}-n4`]);
      expect(first.items[0]).toEqual({
        tenantId: a,
        notificationId: `${a}-n5`,
        eventId: `evt-${a}-n5`,
        eventType: "com.fluxpay.payment.approved",
        userId: u(3),
        channel: "PUSH",
        status: "SENT",
        recipient: "kim@example.com",
        reasonCode: null,
        errorMessage: null,
        attempts: null,
        sentAt: at(3),
        statusAt: at(3),
        createdAt: at(3),
      });
      // A newer notification arrives between pages: it sorts before the cursor.
      await project([consumed(e("n6", { userId: u(1), status: "SENT", createdAt: at(9), at: at(9) }))]);
      const second = (await search("adminA", `limit=2&cursor=${first.nextCursor}`)) as Page;
      expect(second.items.map((i) => i.notificationId)).toEqual([`${a}-n3`, `${a}-n2`]);
      const third = (await search("adminA", `limit=2&cursor=${second.nextCursor}`)) as Page;
      expect(third.items.map((i) => i.notificationId)).toEqual([`${a}-n1`]);
      expect(third.nextCursor).toBeNull();

      const bad = async (query: string) =>
        fieldsOf((await api.call("GET", `/api/v1/dashboard/deliveries?${query}`, tokens.adminA)).body);
      expect(await bad(`from=${at(3)}&to=${at(1)}`)).toEqual(["query.from"]);
      expect(await bad(`from=${at(3)}&to=${at(3)}`)).toEqual(["query.from"]);
      expect(await bad("from=yesterday")).toEqual(["query.from"]);
      expect(await bad("to=9999-12-31T23:59:59Z")).toEqual(["query.to"]);
      expect(await bad("status=DONE&channel=FAX")).toEqual(["query.channel", "query.status"]);
      expect(await bad("eventType=payment.unknown")).toEqual(["query.eventType"]);
      expect(await bad("limit=0")).toEqual(["query.limit"]);
      expect(await bad("limit=101")).toEqual(["query.limit"]);
      expect(await bad("cursor=bm90LWEtY3Vyc29y")).toEqual(["query.cursor"]);
      expect(await bad("userId=u%00")).toEqual(["query.userId"]);
      expect(await bad(`eventId=${"x".repeat(300)}`)).toEqual(["query.eventId"]);
    } finally {
      await api.close();
    }
  });
});

describe("delivery timeline", () => {
  test("PENDING at two retries, then SENT; FAILED, replayed, then SENT: oldest first, each event once, whatever is re-projected", async ({
    database,
    logger,
    registry,
  }) => {
    const [tenant, other] = [uniqueTenant("tl"), uniqueTenant("tl-other")];
    const project = directProjector(database.db, logger, registry);
    const t = (second: number) => new Date(Date.UTC(2026, 1, 4, 10, 30, second)).toISOString();
    const retried = `${tenant}-retried`;
    const replayed = `${tenant}-replayed`;
    const e = (notificationId: string, status: DeliveryEvent["status"], second: number, extra = {}) =>
      deliveryEvent({ notificationId, tenantId: tenant, status, createdAt: t(0), at: t(second), ...extra });
    const batches = [
      [
        e(retried, "PENDING", 1, { attempts: 1, reasonCode: "SMTP_451", errorMessage: "try later" }),
        e(replayed, "FAILED", 1, { attempts: 1, reasonCode: "SMTP_550", errorMessage: "no such mailbox" }),
      ],
      [e(retried, "PENDING", 3, { attempts: 2, reasonCode: "SMTP_452", errorMessage: "still busy" })],
      [
        e(retried, "SENT", 7, { attempts: 3, latencyMs: 12.5, providerMessageId: "m-1" }),
        // Redelivered with the SENT: the same fact, not a second attempt.
        e(retried, "PENDING", 3, { attempts: 2, reasonCode: "SMTP_452", errorMessage: "still busy" }),
        // The replay: routed again (ingest's PENDING), one retry, then delivered.
        e(replayed, "PENDING", 60),
        e(replayed, "PENDING", 61, { attempts: 1, reasonCode: "SMTP_451", errorMessage: "try later" }),
      ],
      [e(replayed, "SENT", 63, { attempts: 2, latencyMs: 8 })],
      // A late report after SENT never regresses the row; the timeline keeps it as it came.
      [e(retried, "PENDING", 8, { attempts: 3, reasonCode: "PROVIDER_DOWN" })],
    ];
    const statusOf = async (id: string) =>
      (
        await database.db.execute(
          sql`select status, attempts, reason_code from notification_log where notification_id = ${id}`,
        )
      )[0];
    await project(batches[0]?.map((event) => consumed(event)) ?? []);
    expect(await statusOf(retried)).toEqual({ status: "PENDING", attempts: 1, reason_code: "SMTP_451" });
    await project(batches[1]?.map((event) => consumed(event)) ?? []);
    // The next retry's PENDING replaces the first: the row shows the attempt it waits on.
    expect(await statusOf(retried)).toEqual({ status: "PENDING", attempts: 2, reason_code: "SMTP_452" });
    for (const batch of batches.slice(2)) await project(batch.map((event) => consumed(event)));
    expect(await statusOf(retried)).toMatchObject({ status: "SENT", attempts: 3 });
    expect(await statusOf(replayed)).toMatchObject({ status: "SENT", attempts: 2 });

    const before = await snapshot(database.db, [tenant]);
    const timelineRows = async () =>
      (
        await database.db.execute(
          sql`select count(*)::int as n from notification_events where notification_id in (${retried}, ${replayed})`,
        )
      )[0]?.n;
    expect(await timelineRows()).toBe(8);
    // The whole topic again, in one batch and then in the original ones: nothing changes.
    await project(batches.flat().map((event) => consumed(event)));
    for (const batch of batches) await project(batch.map((event) => consumed(event)));
    expect(await snapshot(database.db, [tenant])).toEqual(before);
    expect(await timelineRows()).toBe(8);

    const api = await startApi({ database, logger, registry });
    const admin = await sign({ sub: "ops", tenant, roles: ["admin"] });
    const otherAdmin = await sign({ sub: "ops", tenant: other, roles: ["admin"] });
    const operator = await sign({ sub: "staff", tenant: uniqueTenant("ops"), roles: ["operator"] });
    const timelineOf = async (id: string, token = admin, query = "") => {
      const response = await api.call("GET", `/api/v1/dashboard/deliveries/${id}${query}`, token);
      return response.status === 200 ? response.body : response.status;
    };
    try {
      const retriedView = (await timelineOf(retried)) as Record<string, unknown>;
      expect(retriedView.notification).toMatchObject({
        tenantId: tenant,
        notificationId: retried,
        status: "SENT",
        attempts: 3,
        sentAt: t(7),
        createdAt: t(0),
      });
      expect(retriedView.timeline).toEqual([
        {
          status: "PENDING",
          at: t(1),
          attempts: 1,
          reasonCode: "SMTP_451",
          errorMessage: "try later",
          latencyMs: null,
        },
        {
          status: "PENDING",
          at: t(3),
          attempts: 2,
          reasonCode: "SMTP_452",
          errorMessage: "still busy",
          latencyMs: null,
        },
        { status: "SENT", at: t(7), attempts: 3, reasonCode: null, errorMessage: null, latencyMs: 12.5 },
        {
          status: "PENDING",
          at: t(8),
          attempts: 3,
          reasonCode: "PROVIDER_DOWN",
          errorMessage: null,
          latencyMs: null,
        },
      ]);
      const replayedView = (await timelineOf(replayed)) as { timeline: Array<Record<string, unknown>> };
      expect(replayedView.timeline.map((entry) => [entry.status, entry.attempts, entry.reasonCode])).toEqual([
        ["FAILED", 1, "SMTP_550"],
        ["PENDING", null, null],
        ["PENDING", 1, "SMTP_451"],
        ["SENT", 2, null],
      ]);

      // Visible to its tenant's admin and to operators; to anyone else it does not exist.
      expect(await timelineOf(retried, otherAdmin)).toBe(404);
      expect(await timelineOf(retried, admin, `?tenant=${other}`)).toBe(403);
      expect(await timelineOf(retried, operator)).toMatchObject({
        notification: { notificationId: retried },
      });
      expect(await timelineOf(retried, operator, `?tenant=${tenant}`)).toMatchObject({
        notification: { tenantId: tenant },
      });
      expect(await timelineOf(retried, operator, `?tenant=${other}`)).toBe(404);
      expect(await timelineOf(`${tenant}-nothing`, operator)).toBe(404);
      const missing = await api.call("GET", `/api/v1/dashboard/deliveries/${tenant}-nothing`, admin);
      expect(missing.contentType).toContain("application/problem+json");
      const nul = await api.call("GET", "/api/v1/dashboard/deliveries/a%00b", admin);
      expect(fieldsOf(nul.body)).toEqual(["path.notificationId"]);
    } finally {
      await api.close();
    }
  });
});
