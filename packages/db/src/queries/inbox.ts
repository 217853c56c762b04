import type { InAppMessage, UnreadState } from "@fluxnotify/shared/contracts";
import type { SqlExecutor } from "./ingest";

export type { UnreadState };

/**
 * The in-app inbox (schema/inbox.ts), on postgres.js like the other hot paths. The in-app
 * worker appends; query-api reads, marks read and replays. Every change of a user's items
 * first locks that user's `inbox_state` row, so per user the changes are serialised: `seq`
 * has no gaps and follows commit order, and `unread_count` is exact (never recounted).
 */

/**
 * A feed item: the §5 message and when the user read it (null: unread); `createdAt` and
 * `readAt` ISO-8601 with milliseconds, UTC, the same text wherever the item is served from.
 */
export interface InboxItem extends InAppMessage {
  readAt: string | null;
}

/** An item with its place in the user's inbox (the stream's event id). */
export interface InboxEntry {
  seq: number;
  item: InboxItem;
}

export interface InboxHead extends UnreadState {
  /** The newest item's seq (0: none yet). */
  lastSeq: number;
}

/** A client that can begin a transaction (not one already in a transaction). */
export type InboxItemsClient = Extract<SqlExecutor, { begin: unknown }>;

// Named server-side statements (unsafe() does not prepare by default): each text is fixed, so
// PostgreSQL parses and plans it once per connection, about a fifth of an append's CPU.
const PREPARED = { prepare: true } as const;

interface ItemRow {
  seq: number;
  notificationId: string;
  eventType: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  createdAtMs: number;
  readAtMs: number | null;
}

// Timestamps as epoch milliseconds: the same value whichever client (drizzle's shared one
// returns text, a client of its own Dates) runs the query.
const ITEM_COLUMNS = `seq::float8 as seq, notification_id as "notificationId", event_type as "eventType",
  title, body, data, (extract(epoch from created_at) * 1000)::float8 as "createdAtMs",
  (extract(epoch from read_at) * 1000)::float8 as "readAtMs"`;
const HEAD_COLUMNS = `last_seq::float8 as "lastSeq", unread_count as "unreadCount", version::float8 as version`;

const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();

const entryOf = (row: ItemRow): InboxEntry => ({
  seq: row.seq,
  item: {
    notificationId: row.notificationId,
    eventType: row.eventType,
    title: row.title,
    body: row.body,
    createdAt: iso(row.createdAtMs),
    readAt: row.readAtMs === null ? null : iso(row.readAtMs),
    data: row.data,
  },
});

/** The stream's `data` of a notification: the §5 message, without the read state. */
export const messageOf = ({ readAt: _readAt, ...message }: InboxItem): InAppMessage => message;

export interface NewInboxItem extends Omit<InAppMessage, "createdAt"> {
  tenantId: string;
  userId: string;
  createdAt: string;
}

export interface AppendResult {
  /** False: the notification was in the inbox already (a redelivery); nothing changed. */
  created: boolean;
  entry: InboxEntry;
  unread: UnreadState;
}

const userKey = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;

/**
 * Appends a notification to its user's inbox, once: appended again (a redelivered command),
 * it returns the item it already has and changes nothing, so a replay neither adds a
 * duplicate nor counts it unread twice.
 */
export async function appendInboxItem(sql: InboxItemsClient, input: NewInboxItem): Promise<AppendResult> {
  const [result] = await appendInboxItems(sql, [input]);
  if (!result) throw new Error("inbox append returned no result");
  return result;
}

/**
 * Appends several notifications (any users) in one transaction of three statements, with
 * the results `appendInboxItem` would give one after the other in this order: per user the
 * new items take consecutive seqs, and each result's unread state is the user's right
 * after that item. A notification given twice, or already in its inbox, is `created: false`.
 *
 * The users' state rows are locked first, in one sorted order, so two batches (or a batch
 * and query-api marking items read) never deadlock; seqs and counts are then computed here
 * from the locked values and written back as absolute values. One commit per batch instead
 * of per item is what makes the in-app worker cheap: the per-item transaction (five round
 * trips and a WAL flush) was most of its and PostgreSQL's CPU under load.
 */
export async function appendInboxItems(
  sql: InboxItemsClient,
  inputs: NewInboxItem[],
): Promise<AppendResult[]> {
  if (inputs.length === 0) return [];
  return (await sql.begin(async (tx) => {
    const users = [...new Map(inputs.map((i) => [userKey(i.tenantId, i.userId), i])).entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, i]) => i);
    const heads = await tx<Array<InboxHead & { tenantId: string; userId: string }>>`
      insert into inbox_state as s (tenant_id, user_id)
      select * from unnest(${users.map((u) => u.tenantId)}::text[], ${users.map((u) => u.userId)}::text[])
        as u(tenant_id, user_id) order by 1, 2
      on conflict (tenant_id, user_id) do update set last_seq = s.last_seq
      returning tenant_id as "tenantId", user_id as "userId", ${tx.unsafe(HEAD_COLUMNS)}`;
    const state = new Map(heads.map((h) => [userKey(h.tenantId, h.userId), h]));
    // After the locks: a concurrent append of the same notification has committed or not begun.
    const ids = [...new Set(inputs.map((i) => i.notificationId))];
    const existing = await tx<Array<ItemRow & { tenantId: string; userId: string }>>`
      select tenant_id as "tenantId", user_id as "userId", ${tx.unsafe(ITEM_COLUMNS)}
      from inbox_items where notification_id = any(${ids}::text[])`;
    const found = new Map(existing.map((row) => [row.notificationId, row]));

    // In input order: each result as appending one after the other would give it.
    type Planned = { input: NewInboxItem; seq: number; unread: UnreadState };
    type Step =
      | { kind: "existing"; row: ItemRow; unread: UnreadState }
      | { kind: "new"; planned: Planned }
      /** A second copy of a notification this batch appends: it finds the first. */
      | { kind: "again"; planned: Planned; unread: UnreadState };
    const fresh = new Map<string, Planned>();
    const steps = inputs.map((input): Step => {
      const head = state.get(userKey(input.tenantId, input.userId));
      if (!head) throw new Error("inbox_state upsert returned no row");
      const unread = () => ({ unreadCount: head.unreadCount, version: head.version });
      const had = found.get(input.notificationId);
      if (had) return { kind: "existing", row: had, unread: unread() };
      const first = fresh.get(input.notificationId);
      if (first) return { kind: "again", planned: first, unread: unread() };
      head.lastSeq += 1;
      head.unreadCount += 1;
      head.version += 1;
      const planned = { input, seq: head.lastSeq, unread: unread() };
      fresh.set(input.notificationId, planned);
      return { kind: "new", planned };
    });
    const inserted = new Map<string, ItemRow>();
    if (fresh.size > 0) {
      const items = [...fresh.values()];
      const col = <T>(pick: (p: Planned) => T) => items.map(pick);
      const rows = await tx<ItemRow[]>`
        insert into inbox_items (tenant_id, user_id, seq, notification_id, event_type, title, body, data, created_at)
        select t, u, s, n, e, ti, b, d::jsonb, c::timestamptz
        from unnest(${col((p) => p.input.tenantId)}::text[], ${col((p) => p.input.userId)}::text[],
          ${col((p) => p.seq)}::bigint[], ${col((p) => p.input.notificationId)}::text[],
          ${col((p) => p.input.eventType)}::text[], ${col((p) => p.input.title)}::text[],
          ${col((p) => p.input.body)}::text[], ${col((p) => JSON.stringify(p.input.data))}::text[],
          ${col((p) => p.input.createdAt)}::text[]) as x(t, u, s, n, e, ti, b, d, c)
        returning ${tx.unsafe(ITEM_COLUMNS)}`;
      for (const row of rows) inserted.set(row.notificationId, row);
      const touched = new Set(items.map((p) => userKey(p.input.tenantId, p.input.userId)));
      const changed = heads.filter((h) => touched.has(userKey(h.tenantId, h.userId)));
      await tx`
        update inbox_state s set last_seq = h.last_seq, unread_count = h.unread_count, version = h.version
        from unnest(${changed.map((h) => h.tenantId)}::text[], ${changed.map((h) => h.userId)}::text[],
          ${changed.map((h) => h.lastSeq)}::bigint[], ${changed.map((h) => h.unreadCount)}::int[],
          ${changed.map((h) => h.version)}::bigint[]) as h(tenant_id, user_id, last_seq, unread_count, version)
        where s.tenant_id = h.tenant_id and s.user_id = h.user_id`;
    }
    const insertedRow = (planned: Planned) => {
      const row = inserted.get(planned.input.notificationId);
      if (!row) throw new Error("inbox append returned no row");
      return entryOf(row);
    };
    return steps.map((step): AppendResult => {
      if (step.kind === "existing") return { created: false, entry: entryOf(step.row), unread: step.unread };
      if (step.kind === "again")
        return { created: false, entry: insertedRow(step.planned), unread: step.unread };
      return { created: true, entry: insertedRow(step.planned), unread: step.planned.unread };
    });
  })) as AppendResult[];
}

/** The user's count, version and newest seq, as committed (zeros for a user with no inbox). */
export async function inboxHead(sql: SqlExecutor, tenantId: string, userId: string): Promise<InboxHead> {
  const [head] = await sql.unsafe<InboxHead[]>(
    `select ${HEAD_COLUMNS} from inbox_state where tenant_id = $1 and user_id = $2`,
    [tenantId, userId],
    PREPARED,
  );
  return head ?? { lastSeq: 0, unreadCount: 0, version: 0 };
}

export interface FeedPage {
  entries: InboxEntry[];
  /** True when items older than the last entry remain (under the same filter). */
  more: boolean;
  unread: UnreadState;
}

/**
 * A page of the feed, newest first, before `beforeSeq` (keyset pagination), unread only when
 * asked. Items and count come from one snapshot, so the page and its count agree.
 */
export async function listInbox(
  sql: InboxItemsClient,
  tenantId: string,
  userId: string,
  options: { limit: number; beforeSeq?: number | undefined; unreadOnly?: boolean | undefined },
): Promise<FeedPage> {
  return (await sql.begin("isolation level repeatable read read only", async (tx) => {
    const rows = await tx.unsafe<ItemRow[]>(
      `select ${ITEM_COLUMNS} from inbox_items
       where tenant_id = $1 and user_id = $2 and seq < $3 ${options.unreadOnly ? "and read_at is null" : ""}
       order by seq desc limit $4`,
      [tenantId, userId, options.beforeSeq ?? Number.MAX_SAFE_INTEGER, options.limit + 1],
      PREPARED,
    );
    const head = await inboxHead(tx, tenantId, userId);
    return {
      entries: rows.slice(0, options.limit).map(entryOf),
      more: rows.length > options.limit,
      unread: { unreadCount: head.unreadCount, version: head.version },
    };
  })) as FeedPage;
}

/** The user's items after `afterSeq`, oldest first, at most `limit` (the stream's replay). */
export async function inboxAfter(
  sql: SqlExecutor,
  tenantId: string,
  userId: string,
  afterSeq: number,
  limit: number,
): Promise<InboxEntry[]> {
  const rows = await sql.unsafe<ItemRow[]>(
    `select ${ITEM_COLUMNS} from inbox_items
     where tenant_id = $1 and user_id = $2 and seq > $3 order by seq limit $4`,
    [tenantId, userId, afterSeq, limit],
    PREPARED,
  );
  return rows.map(entryOf);
}

export type MarkReadResult =
  | { found: false }
  | { found: true; changed: false }
  | { found: true; changed: true; unread: UnreadState };

/** Marks one of the user's items read; again, or another's, changes nothing. */
export async function markInboxItemRead(
  sql: InboxItemsClient,
  tenantId: string,
  userId: string,
  notificationId: string,
): Promise<MarkReadResult> {
  return (await sql.begin(async (tx) => {
    const [head] = await tx.unsafe<InboxHead[]>(
      `select ${HEAD_COLUMNS} from inbox_state where tenant_id = $1 and user_id = $2 for update`,
      [tenantId, userId],
      PREPARED,
    );
    if (!head) return { found: false };
    const [row] = await tx.unsafe<
      Array<{ found: boolean; unreadCount: number | null; version: number | null }>
    >(
      `with marked as (
         update inbox_items set read_at = now()
         where tenant_id = $1 and user_id = $2 and notification_id = $3 and read_at is null
         returning 1
       ), bumped as (
         update inbox_state set unread_count = unread_count - 1, version = version + 1
         where tenant_id = $1 and user_id = $2 and exists (select 1 from marked)
         returning unread_count, version
       )
       select exists (select 1 from inbox_items where tenant_id = $1 and user_id = $2 and notification_id = $3) as found,
         (select unread_count from bumped) as "unreadCount", (select version::float8 from bumped) as version`,
      [tenantId, userId, notificationId],
      PREPARED,
    );
    if (!row?.found) return { found: false };
    if (row.unreadCount === null || row.version === null) return { found: true, changed: false };
    return { found: true, changed: true, unread: { unreadCount: row.unreadCount, version: row.version } };
  })) as MarkReadResult;
}

/** Marks every unread item of the user read; `unread` is undefined when nothing changed. */
export async function markInboxRead(
  sql: InboxItemsClient,
  tenantId: string,
  userId: string,
): Promise<{ updated: number; unread?: UnreadState }> {
  return (await sql.begin(async (tx) => {
    const [head] = await tx.unsafe<InboxHead[]>(
      `select ${HEAD_COLUMNS} from inbox_state where tenant_id = $1 and user_id = $2 for update`,
      [tenantId, userId],
      PREPARED,
    );
    if (!head) return { updated: 0 };
    const [row] = await tx.unsafe<
      Array<{ updated: number; unreadCount: number | null; version: number | null }>
    >(
      `with marked as (
         update inbox_items set read_at = now()
         where tenant_id = $1 and user_id = $2 and read_at is null
         returning 1
       ), bumped as (
         update inbox_state set unread_count = unread_count - (select count(*) from marked), version = version + 1
         where tenant_id = $1 and user_id = $2 and exists (select 1 from marked)
         returning unread_count, version
       )
       select (select count(*) from marked)::int as updated,
         (select unread_count from bumped) as "unreadCount", (select version::float8 from bumped) as version`,
      [tenantId, userId],
      PREPARED,
    );
    const updated = row?.updated ?? 0;
    if (!row || row.unreadCount === null || row.version === null) return { updated };
    return { updated, unread: { unreadCount: row.unreadCount, version: row.version } };
  })) as { updated: number; unread?: UnreadState };
}
