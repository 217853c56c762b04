import type { PushTargetType, WebPushKeys } from "../schema/push";
import { pairKey, type SqlExecutor } from "./ingest";

/**
 * Push targets (CONTRACT §4), on postgres.js like the other hot paths: query-api registers
 * and lists them, the ingest worker fans a notification out to them, the push worker reads
 * one before each send and removes it when the push service says it is gone.
 */
export interface PushTarget {
  id: string;
  tenantId: string;
  userId: string;
  type: PushTargetType;
  address: string;
  keys: WebPushKeys | null;
  label: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type PushTargetRow = Omit<PushTarget, "createdAt" | "updatedAt"> & {
  createdAt: string | Date;
  updatedAt: string | Date;
};

const columnsOf = (alias: string) => `${alias}.id::text as id, ${alias}.tenant_id as "tenantId",
  ${alias}.user_id as "userId", ${alias}.type, ${alias}.address, ${alias}.keys, ${alias}.label,
  ${alias}.created_at as "createdAt", ${alias}.updated_at as "updatedAt"`;
const COLUMNS = columnsOf("push_subscriptions");

// drizzle makes the shared client return timestamps as text; a client of its own returns Dates.
const target = (row: PushTargetRow): PushTarget => ({
  ...row,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
});

export interface NewPushTarget {
  tenantId: string;
  userId: string;
  type: PushTargetType;
  address: string;
  keys: WebPushKeys | null;
  /** Undefined: the owner re-registering keeps the device's label (a new row has none). */
  label?: string | null;
}

export type RegisterResult =
  | {
      kind: "created" | "updated";
      target: PushTarget;
      /** Who held the device before, when it moved to the caller (their cached targets are stale). */
      previousUserId?: string;
    }
  | { kind: "cap_reached"; cap: number };

/**
 * Registers a device idempotently by (tenant, type, address): again by the same user → the
 * same row (keys and label refreshed); by another user of the tenant → the row moves to the
 * caller. A user holds at most `cap` targets; the check and the insert are serialised per
 * user by a transaction-scoped advisory lock, so concurrent registrations cannot pass it
 * together. Re-registered by its owner with no label given, a device keeps its label; moved,
 * it takes only what the new owner sent (label and creation time are never carried over from
 * another user's registration).
 */
export async function registerPushTarget(
  // A client that can begin a transaction (not one already in a transaction).
  sql: Extract<SqlExecutor, { begin: unknown }>,
  input: NewPushTarget,
  cap: number,
): Promise<RegisterResult> {
  return (await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${`push:${input.tenantId}\u0001${input.userId}`}, 0))`;
    // Locked, so the owner read here is the one the upsert below replaces.
    const [existing] = await tx<{ userId: string }[]>`
      select user_id as "userId" from push_subscriptions
      where tenant_id = ${input.tenantId} and type = ${input.type} and address = ${input.address}
      for update`;
    if (existing?.userId !== input.userId) {
      const [count] = await tx<{ n: number }[]>`
        select count(*)::int as n from push_subscriptions
        where tenant_id = ${input.tenantId} and user_id = ${input.userId}`;
      if ((count?.n ?? 0) >= cap) return { kind: "cap_reached", cap };
    }
    const [row] = await tx.unsafe<(PushTargetRow & { inserted: boolean })[]>(
      `insert into push_subscriptions as s (tenant_id, user_id, type, address, keys, label)
       values ($1, $2, $3, $4, $5::jsonb, $6)
       on conflict (tenant_id, type, address) do update
         set user_id = excluded.user_id, keys = excluded.keys,
           label = case when s.user_id = excluded.user_id and $7 then s.label else excluded.label end,
           created_at = case when s.user_id = excluded.user_id then s.created_at else now() end,
           updated_at = now()
       returning ${columnsOf("s")}, (xmax = 0) as inserted`,
      [
        input.tenantId,
        input.userId,
        input.type,
        input.address,
        input.keys === null ? null : JSON.stringify(input.keys),
        input.label ?? null,
        input.label === undefined,
      ],
    );
    if (!row) throw new Error("push target upsert returned no row");
    const { inserted, ...rest } = row;
    const previousUserId =
      existing && existing.userId !== input.userId ? { previousUserId: existing.userId } : {};
    return { kind: inserted ? "created" : "updated", target: target(rest), ...previousUserId };
  })) as RegisterResult;
}

/** The user's targets, oldest first. */
export async function listPushTargets(
  sql: SqlExecutor,
  tenantId: string,
  userId: string,
): Promise<PushTarget[]> {
  const rows = await sql.unsafe<PushTargetRow[]>(
    `select ${COLUMNS} from push_subscriptions where tenant_id = $1 and user_id = $2 order by created_at, id`,
    [tenantId, userId],
  );
  return rows.map(target);
}

/** The textual form of a uuid that `::uuid` accepts without error (the one ids are given in). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Removes one of the user's targets; false when it is not theirs, does not exist, or `id` is
 * not a uuid at all.
 */
export async function deletePushTarget(
  sql: SqlExecutor,
  tenantId: string,
  userId: string,
  id: string,
): Promise<boolean> {
  if (!UUID.test(id)) return false; // not an id this table could hold: nobody's target
  const rows = await sql`
    delete from push_subscriptions where id = ${id}::uuid and tenant_id = ${tenantId} and user_id = ${userId}
    returning id`;
  return rows.length > 0;
}

/** The targets of many users at once (the ingest worker's fan-out); keys as `pairKey(tenant, user)`. */
export async function findPushTargetsMany(
  sql: SqlExecutor,
  pairs: Array<[tenantId: string, userId: string]>,
): Promise<Map<string, PushTarget[]>> {
  const result = new Map<string, PushTarget[]>();
  if (pairs.length === 0) return result;
  const rows = await sql.unsafe<PushTargetRow[]>(
    `select ${columnsOf("s")}
     from unnest($1::text[], $2::text[]) as p(tenant_id, user_id)
     join push_subscriptions s using (tenant_id, user_id)
     order by s.created_at, s.id`,
    [pairs.map(([tenant]) => tenant), pairs.map(([, user]) => user)],
  );
  for (const row of rows) {
    const key = pairKey(row.tenantId, row.userId);
    const list = result.get(key) ?? [];
    list.push(target(row));
    result.set(key, list);
  }
  return result;
}

/** One target by id (the push worker reads it before each send: deleted or moved = not sent). */
export async function findPushTarget(sql: SqlExecutor, id: string): Promise<PushTarget | undefined> {
  const rows = await sql.unsafe<PushTargetRow[]>(
    `select ${COLUMNS} from push_subscriptions where id = $1::uuid`,
    [id],
  );
  return rows[0] ? target(rows[0]) : undefined;
}

/**
 * Removes a target the push service reported gone (404/410, FCM UNREGISTERED). Matched on
 * the address too: a device re-registered since (same row, new endpoint) is kept.
 */
export async function removeGonePushTarget(sql: SqlExecutor, id: string, address: string): Promise<boolean> {
  const rows =
    await sql`delete from push_subscriptions where id = ${id}::uuid and address = ${address} returning id`;
  return rows.length > 0;
}
