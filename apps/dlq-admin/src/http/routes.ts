import { discardDlqMessage, listDlqMessages } from "@fluxnotify/db/queries/dlq";
import { type AnyRoute, defineRoute, HttpProblem } from "@fluxnotify/shared/http";
import { type ReplayDeps, retryAll, retryOne } from "../replay";
import {
  dlqItem,
  encodeCursor,
  idParams,
  listQuery,
  listResponse,
  retryAllBody,
  retryAllResponse,
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
      const { limit, cursor, ...filter } = query;
      const rows = await listDlqMessages(deps.db, { filter, beforeId: cursor, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor(last.id) : null;
      return { status: 200, body: { items: page.map(toItem), nextCursor } };
    },
  });

  const retry = defineRoute({
    method: "post",
    path: "/api/v1/admin/dlq/:id/retry",
    summary: "Replay one dead letter to its original topic (again, if it was retried before)",
    tags: TAGS,
    auth: "admin",
    params: idParams,
    responses: {
      200: {
        description: "Replayed and acknowledged by the broker; the updated dead letter",
        schema: dlqItem,
      },
      404: { description: "No such dead letter" },
      409: { description: "The dead letter was discarded" },
      422: { description: "The original topic is unknown or does not exist" },
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
    summary: "Replay pending dead letters matching the filters, a bounded batch per call",
    tags: TAGS,
    auth: "admin",
    body: retryAllBody,
    responses: {
      200: { description: "How many were replayed and how many still match", schema: retryAllResponse },
      503: { description: "The broker did not acknowledge the replay" },
    },
    handler: async ({ body, principal }) => {
      const result = await retryAll(deps, { filter: body, by: principal.userId });
      return { status: 200, body: result };
    },
  });

  const discard = defineRoute({
    method: "delete",
    path: "/api/v1/admin/dlq/:id",
    summary: "Discard a dead letter (kept for audit with status DISCARDED)",
    tags: TAGS,
    auth: "admin",
    params: idParams,
    responses: {
      204: { description: "Discarded (or already discarded)" },
      404: { description: "No such dead letter" },
    },
    handler: async ({ params, principal }) => {
      const result = await discardDlqMessage(deps.db, { id: params.id, by: principal.userId });
      if (!result) throw HttpProblem.notFound(`dead letter ${params.id} does not exist`);
      if (result.changed) {
        deps.metrics.discards.inc({ domain: result.row.domain });
        deps.logger.info({ id: String(params.id), by: principal.userId }, "dead letter discarded");
        deps.onChanged?.();
      }
      return { status: 204 };
    },
  });

  return [list, retryAllRoute, retry, discard];
}
