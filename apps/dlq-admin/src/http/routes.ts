import {
  auditTrail,
  discardDlqMessage,
  dlqTotals,
  findDlqMessage,
  listDlqMessages,
  replaysOf,
} from "@fluxnotify/db/queries/dlq";
import { type AnyRoute, defineRoute, HttpProblem } from "@fluxnotify/shared/http";
import { type ReplayDeps, retryAll, retryOne } from "../replay";
import {
  discardQuery,
  dlqDetail,
  dlqItem,
  encodeCursor,
  idParams,
  listQuery,
  listResponse,
  retryAllBody,
  retryAllResponse,
  toFilter,
  toItem,
} from "./schemas";

const TAGS = ["dead letters"];

/**
 * Every route needs the `admin` role and shows dead letters of every tenant: a dead letter
 * may not carry a tenant at all (a record too malformed to parse), and operators of the
 * platform are the ones who replay or discard them.
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
    handler: async ({ query }) => {
      const { limit, cursor, status } = query;
      const filter = { ...toFilter(query), status };
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
      404: { description: "No such dead letter" },
    },
    handler: async ({ params }) => {
      const row = await findDlqMessage(deps.db, params.id);
      if (!row) throw HttpProblem.notFound(`dead letter ${params.id} does not exist`);
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
      404: { description: "No such dead letter" },
      409: { description: "The dead letter was discarded, or is resolved" },
      422: {
        description: "The dead letter's topic is unknown, not replayable, or its replay topic is missing",
      },
      503: { description: "The broker did not acknowledge the replay" },
    },
    handler: async ({ params, principal }) => {
      const row = await retryOne(deps, { id: params.id, by: principal.userId });
      return { status: 200, body: toItem(row) };
    },
  });

  const retryAllRoute = defineRoute({
    method: "post",
    path: "/api/v1/admin/dlq/retry-all",
    summary: "Replay every pending dead letter matching the filters, in bounded batches (capped per call)",
    tags: TAGS,
    auth: "admin",
    body: retryAllBody,
    responses: {
      200: { description: "How many were replayed and how many still match", schema: retryAllResponse },
      503: { description: "The broker did not acknowledge the replay" },
    },
    handler: async ({ body, principal }) => {
      const result = await retryAll(deps, { filter: toFilter(body), by: principal.userId });
      return { status: 200, body: result };
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
      404: { description: "No such dead letter" },
      409: { description: "The dead letter is resolved: its replay was delivered" },
    },
    handler: async ({ params, query, principal }) => {
      const reason = query.reason ?? "no reason given";
      const result = await discardDlqMessage(deps.db, { id: params.id, by: principal.userId, reason });
      if (!result) throw HttpProblem.notFound(`dead letter ${params.id} does not exist`);
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

  return [list, retryAllRoute, detail, retry, discard];
}
