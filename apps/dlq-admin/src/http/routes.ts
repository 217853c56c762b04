import { gunzipSync } from "node:zlib";
import {
  auditTrail,
  discardDlqMessage,
  dlqTotals,
  findDlqMessage,
  findDlqOriginal,
  listDlqMessages,
  pendingSummary,
  replaysOf,
} from "@fluxnotify/db/queries/dlq";
import { DLQ_HEADERS, DOMAINS } from "@fluxnotify/shared/contracts";
import { type AnyRoute, defineRoute, HttpProblem, tenantParam, tenantScope } from "@fluxnotify/shared/http";
import { z } from "zod";
import { previewRetryAll, type ReplayDeps, retryAll, retryOne } from "../replay";
import {
  discardQuery,
  dlqDetail,
  dlqItem,
  encodeCursor,
  idParams,
  listQuery,
  listResponse,
  retryAllBody,
  retryAllPreview,
  retryAllResponse,
  summaryResponse,
  toFilter,
  toItem,
} from "./schemas";

const TAGS = ["dead letters"];

const missing = (id: bigint) => HttpProblem.notFound(`dead letter ${id} does not exist`);

/**
 * Every route needs the `admin` or the `operator` role (CONTRACT §4). An admin acts on its
 * own tenant's dead letters only: another tenant's answer 404, as if they did not exist.
 * An operator acts on every tenant's (a list narrowed by `tenant`) and is the only one who
 * sees dead letters whose tenant could not be read (a record too malformed to parse).
 */
export function dlqRoutes(deps: ReplayDeps): AnyRoute[] {
  const list = defineRoute({
    method: "get",
    path: "/api/v1/admin/dlq",
    summary: "Dead letters, newest first, filterable and cursor-paginated",
    tags: TAGS,
    auth: "admin",
    query: listQuery,
    responses: { 200: { description: "A page of dead letters", schema: listResponse } },
    handler: async ({ query, principal }) => {
      const { limit, cursor, status } = query;
      const filter = { ...toFilter(query), ...tenantScope(principal, query.tenant), status };
      const [rows, totals] = await Promise.all([
        listDlqMessages(deps.db, { filter, beforeId: cursor, limit: limit + 1 }),
        dlqTotals(deps.db, filter),
      ]);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor(last.id) : null;
      return { status: 200, body: { items: page.map(toItem), nextCursor, totals } };
    },
  });

  const detail = defineRoute({
    method: "get",
    path: "/api/v1/admin/dlq/:id",
    summary: "One dead letter with its audit trail and the dead letters its failed replays produced",
    tags: TAGS,
    auth: "admin",
    params: idParams,
    responses: {
      200: { description: "The dead letter", schema: dlqDetail },
      404: { description: "No such dead letter (or one of another tenant, for an admin)" },
    },
    handler: async ({ params, principal }) => {
      const row = await findDlqMessage(deps.db, params.id, tenantScope(principal, undefined).tenantId);
      if (!row) throw missing(params.id);
      const [audit, children] = await Promise.all([auditTrail(deps.db, row.id), replaysOf(deps.db, row.id)]);
      return {
        status: 200,
        body: {
          ...toItem(row),
          audit: audit.map((entry) => ({
            action: entry.action as "STORED",
            actor: entry.actor,
            detail: entry.detail,
            at: entry.at.toISOString(),
          })),
          replayedInto: children.map(String),
        },
      };
    },
  });

  const retry = defineRoute({
    method: "post",
    path: "/api/v1/admin/dlq/:id/retry",
    summary: "Replay one dead letter where our consumers read it (again, if it was replayed before)",
    tags: TAGS,
    auth: "admin",
    params: idParams,
    responses: {
      200: {
        description: "Replayed and acknowledged by the broker; the updated dead letter",
        schema: dlqItem,
      },
      404: { description: "No such dead letter (or one of another tenant, for an admin)" },
      409: {
        description:
          "The dead letter was discarded, is resolved, or holds only the digest of a value too large to dead-letter",
      },
      422: {
        description: "The dead letter's topic is unknown, not replayable, or its replay topic is missing",
      },
      503: { description: "The broker did not acknowledge the replay" },
    },
    handler: async ({ params, principal }) => {
      const { tenantId } = tenantScope(principal, undefined);
      const row = await retryOne(deps, { id: params.id, tenantId, by: principal.userId });
      return { status: 200, body: toItem(row) };
    },
  });

  const retryAllRoute = defineRoute({
    method: "post",
    path: "/api/v1/admin/dlq/retry-all",
    summary:
      'Replay the dead letters pending when the call begins that match the filters (or every one in the caller\'s scope with "all": true), in bounded batches, each at most once, capped per call',
    tags: TAGS,
    auth: "admin",
    body: retryAllBody,
    responses: {
      200: {
        description:
          'How many were replayed and how many still match; with "dryRun": true, how many match and could be replayed (nothing replayed)',
        schema: z.union([retryAllResponse, retryAllPreview]),
      },
      503: { description: "The broker did not acknowledge the replay" },
    },
    handler: async ({ body, principal }) => {
      const filter = { ...toFilter(body), ...tenantScope(principal, body.tenant) };
      if (body.dryRun === true) return { status: 200, body: await previewRetryAll(deps, { filter }) };
      const result = await retryAll(deps, { filter, by: principal.userId });
      return { status: 200, body: result };
    },
  });

  const summary = defineRoute({
    method: "get",
    path: "/api/v1/admin/dlq/summary",
    summary: "Depth and age of the pending dead letters, in all and per domain",
    tags: TAGS,
    auth: "admin",
    query: z.strictObject({ tenant: tenantParam.optional() }),
    responses: { 200: { description: "The pending backlog", schema: summaryResponse } },
    handler: async ({ query, principal }) => {
      const { tenantId } = tenantScope(principal, query.tenant);
      const found = await pendingSummary(deps.db, tenantId);
      const iso = (date: Date | null) => (date ? date.toISOString() : null);
      // Every domain is listed, zeros included, so a console can lay them out fixed.
      const byDomain = new Map<string, { pending: number; oldestPendingAt: string | null }>(
        DOMAINS.map((domain) => [domain, { pending: 0, oldestPendingAt: null }]),
      );
      for (const row of found.byDomain) {
        byDomain.set(row.domain, { pending: row.pending, oldestPendingAt: iso(row.oldestPendingAt) });
      }
      const body: z.infer<typeof summaryResponse> = {
        pending: found.pending,
        oldestPendingAt: iso(found.oldestPendingAt),
        byDomain: [...byDomain].map(([domain, counts]) => ({ domain, ...counts })),
      };
      return { status: 200, body };
    },
  });

  const discard = defineRoute({
    method: "delete",
    path: "/api/v1/admin/dlq/:id",
    summary: "Discard a dead letter with a reason (`?reason=`); kept for audit with status DISCARDED",
    tags: TAGS,
    auth: "admin",
    params: idParams,
    query: discardQuery,
    responses: {
      204: { description: "Discarded (or already discarded)" },
      404: { description: "No such dead letter (or one of another tenant, for an admin)" },
      409: { description: "The dead letter is resolved: its replay was delivered" },
    },
    handler: async ({ params, query, principal }) => {
      const reason = query.reason ?? "no reason given";
      const { tenantId } = tenantScope(principal, undefined);
      const result = await discardDlqMessage(deps.db, {
        id: params.id,
        tenantId,
        by: principal.userId,
        reason,
      });
      if (!result) throw missing(params.id);
      if (result.row.status === "RESOLVED") {
        throw HttpProblem.conflict(`dead letter ${params.id} is resolved: its replay was delivered`);
      }
      if (result.changed) {
        deps.metrics.discards.inc({ domain: result.row.domain });
        deps.logger.info({ id: String(params.id), by: principal.userId, reason }, "dead letter discarded");
        deps.onChanged?.();
      }
      return { status: 204 };
    },
  });

  const original = defineRoute({
    method: "get",
    path: "/api/v1/admin/dlq/:id/original",
    summary:
      "The dead letter's original value, as bytes: the stored value, or for one too large to dead-letter as it was (X-Value-Replaced) the original kept from the originals topic",
    tags: TAGS,
    auth: "admin",
    params: idParams,
    responses: {
      200: {
        description: "The original value (application/octet-stream; X-Value-Sha256 when it was replaced)",
      },
      404: {
        description:
          "No such dead letter (or one of another tenant, for an admin), or its original was not kept (the detail says why)",
      },
    },
    handler: async ({ params, principal }) => {
      const row = await findDlqMessage(deps.db, params.id, tenantScope(principal, undefined).tenantId);
      if (!row) throw missing(params.id);
      const headers = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename="dead-letter-${row.id}.bin"`,
      };
      const sha256 = row.headers[DLQ_HEADERS.valueSha256];
      if (!row.headers[DLQ_HEADERS.valueReplaced] || !sha256) {
        return { status: 200, raw: row.value ?? Buffer.alloc(0), headers };
      }
      const kept = await findDlqOriginal(deps.db, sha256);
      if (!kept) {
        const where = row.headers[DLQ_HEADERS.originalKept] ?? "unknown";
        throw HttpProblem.notFound(
          `the original of dead letter ${row.id} is not stored (kept: ${where}); it is in ${row.originalTopic} at partition ${row.originalPartition ?? "?"}, offset ${row.originalOffset ?? "?"} while retained`,
        );
      }
      return {
        status: 200,
        raw: gunzipSync(kept.gzipped),
        headers: { ...headers, [DLQ_HEADERS.valueSha256]: sha256 },
      };
    },
  });

  // Fixed paths before `/:id`, which would take "summary" for an id.
  return [list, retryAllRoute, summary, detail, retry, discard, original];
}
