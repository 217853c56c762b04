import { insertDlqMessages, type NewDlqMessage } from "@fluxnotify/db/queries/dlq";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS } from "@fluxnotify/shared/contracts";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect } from "vitest";
import type { DlqItem } from "../src/http/schemas";
import { adminToken, operatorToken, startDlqAdmin, unique } from "./harness";

let offset = BigInt(Date.now()) * 1000n + 500_000n;
const row = (overrides: Partial<NewDlqMessage>): NewDlqMessage => ({
  domain: "payment",
  dlqTopic: "test.console-seed",
  dlqPartition: 0,
  dlqOffset: offset++,
  originalTopic: "notification.commands.email",
  errorMessage: "boom",
  failedAt: new Date(),
  headers: {},
  ...overrides,
});

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
};

/** Checks bodies against the 200 schema the service's own OpenAPI document gives. */
async function documented(base: string, path: string, method: string) {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Doc;
  const schema = doc.paths[path]?.[method]?.responses["200"]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${method} ${path}: no 200 schema`);
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (body: unknown) => (validate(body) ? [] : (validate.errors ?? []));
}

describe("the console's dead-letter endpoints", () => {
  test("summary: pending depth and the oldest failure, in all and per domain, in the caller's scope", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    const [a, b] = [unique("tenant-sum-a"), unique("tenant-sum-b")];
    const at = (hour: number) => new Date(Date.UTC(2026, 1, 4, hour));
    await insertDlqMessages(database.db, [
      row({ tenantId: a, domain: "payment", failedAt: at(3) }),
      row({ tenantId: a, domain: "payment", failedAt: at(1) }),
      row({ tenantId: a, domain: "order", failedAt: at(2) }),
      // Not pending: no part of the backlog.
      row({ tenantId: a, domain: "refund", failedAt: at(0), status: "REPLAYED" }),
      row({ tenantId: a, domain: "refund", failedAt: at(0), status: "DISCARDED" }),
      row({ tenantId: b, domain: "subscription", failedAt: at(0) }),
    ]);
    const summary = async (token: string, query = "") => {
      const response = await admin.call("GET", `/api/v1/admin/dlq/summary${query}`, undefined, token);
      return response.status === 200 ? await response.json() : response.status;
    };
    const none = { pending: 0, oldestPendingAt: null };
    try {
      expect(await summary(await adminToken(a))).toEqual({
        pending: 3,
        oldestPendingAt: at(1).toISOString(),
        byDomain: [
          { domain: "payment", pending: 2, oldestPendingAt: at(1).toISOString() },
          { domain: "subscription", ...none },
          { domain: "order", pending: 1, oldestPendingAt: at(2).toISOString() },
          { domain: "refund", ...none },
        ],
      });
      expect(await summary(await adminToken(a), `?tenant=${a}`)).toMatchObject({ pending: 3 });
      expect(await summary(await adminToken(a), `?tenant=${b}`)).toBe(403);
      expect(await summary(await operatorToken(), `?tenant=${b}`)).toEqual({
        pending: 1,
        oldestPendingAt: at(0).toISOString(),
        byDomain: [
          { domain: "payment", ...none },
          { domain: "subscription", pending: 1, oldestPendingAt: at(0).toISOString() },
          { domain: "order", ...none },
          { domain: "refund", ...none },
        ],
      });
      expect(await summary(await operatorToken(), "?tenant=nobody-at-all")).toMatchObject(none);
      // Every tenant's: at least these four, and the oldest at least as old as theirs.
      const all = (await summary(await operatorToken())) as { pending: number; oldestPendingAt: string };
      expect(all.pending).toBeGreaterThanOrEqual(4);
      expect(Date.parse(all.oldestPendingAt)).toBeLessThanOrEqual(at(0).getTime());
      expect((await admin.call("GET", "/api/v1/admin/dlq/summary?limit=1")).status).toBe(400);
      const check = await documented(admin.base, "/api/v1/admin/dlq/summary", "get");
      expect(check(await summary(await adminToken(a)))).toEqual([]);
      expect(check(all)).toEqual([]);
    } finally {
      await admin.stop();
    }
  });

  test("retry-all dry run counts what a real call would take and replays nothing; notificationId narrows list and retry-all", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const original = await kafka.createTopic("orig-dry-run");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false, replayTargets: { [original]: original } },
    );
    const tenant = unique("tenant-dry");
    const target = unique("notif");
    const seeded = await insertDlqMessages(database.db, [
      row({ tenantId: tenant, originalTopic: original, notificationId: target }),
      row({ tenantId: tenant, originalTopic: original, notificationId: unique("notif") }),
      // Matches, but a real call could not replay these: an unknown topic, a digest only.
      row({ tenantId: tenant, originalTopic: unique("test.gone") }),
      row({
        tenantId: tenant,
        originalTopic: original,
        headers: { [DLQ_HEADERS.valueReplaced]: "oversized" },
      }),
      // Not pending.
      row({ tenantId: tenant, originalTopic: original, status: "DISCARDED" }),
      // Another tenant's.
      row({ tenantId: unique("tenant-dry-other"), originalTopic: original, notificationId: target }),
    ]);
    const token = await adminToken(tenant);
    const retryAll = async (body: Record<string, unknown>, auth = token) => {
      const response = await admin.call("POST", "/api/v1/admin/dlq/retry-all", body, auth);
      return response.status === 200 ? await response.json() : response.status;
    };
    const statuses = async () =>
      (
        await database.sql<{ status: string; n: number }[]>`
          select status, count(*)::int as n from dlq_messages
          where id = any(${seeded.map((r) => String(r.id))}::bigint[]) group by status order by status`
      ).map((r) => [r.status, r.n]);
    const audits = async () =>
      (
        await database.sql<{ n: number }[]>`
          select count(*)::int as n from dlq_audit where dlq_message_id = any(${seeded.map((r) => String(r.id))}::bigint[])`
      )[0]?.n;
    try {
      const before = [await statuses(), await audits()];
      expect(await retryAll({ all: true, dryRun: true })).toEqual({ matched: 4, replayable: 2 });
      // A dry run replays nothing, so it needs no filter and no "all".
      expect(await retryAll({ dryRun: true })).toEqual({ matched: 4, replayable: 2 });
      expect(await retryAll({ dryRun: true, notificationId: target })).toEqual({ matched: 1, replayable: 1 });
      expect(await retryAll({ dryRun: true, tenant, notificationId: target }, await operatorToken())).toEqual(
        {
          matched: 1,
          replayable: 1,
        },
      );
      expect(await retryAll({ dryRun: true, notificationId: target }, await operatorToken())).toEqual({
        matched: 2,
        replayable: 2,
      });
      expect(await retryAll({ dryRun: false })).toBe(400);
      expect([await statuses(), await audits()]).toEqual(before);

      const listed = (await (
        await admin.call("GET", `/api/v1/admin/dlq?notificationId=${target}`, undefined, token)
      ).json()) as { items: DlqItem[] };
      expect(listed.items.map((item) => [item.notificationId, item.tenantId])).toEqual([[target, tenant]]);

      // The real call with the same filter: the one the preview counted, in the usual answer.
      expect(await retryAll({ notificationId: target })).toEqual({
        replayed: 1,
        remaining: 0,
        unreplayable: 0,
      });
      expect(await retryAll({ all: true, dryRun: true })).toEqual({ matched: 3, replayable: 1 });
      const check = await documented(admin.base, "/api/v1/admin/dlq/retry-all", "post");
      expect(check(await retryAll({ all: true, dryRun: true }))).toEqual([]);
      expect(check(await retryAll({ notificationId: target }))).toEqual([]);
    } finally {
      await admin.stop();
    }
  });
});
