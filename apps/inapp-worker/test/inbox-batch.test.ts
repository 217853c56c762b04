import {
  appendInboxItem,
  appendInboxItems,
  inboxAfter,
  inboxHead,
  type NewInboxItem,
} from "@fluxnotify/db/queries/inbox";
import { dbTest as test } from "@fluxnotify/db/testing";
import { expect } from "@fluxnotify/shared/testing";
import { InboxStoreError, inboxAppender } from "../src/strategy";

const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
let next = 0;
const item = (userId: string, overrides: Partial<NewInboxItem> = {}): NewInboxItem => ({
  tenantId: "tenant-batch",
  userId,
  notificationId: `n-${stamp}-${next++}`,
  eventType: "com.fluxpay.payment.approved",
  title: "결제가 완료되었습니다",
  body: "15,000원",
  data: { amount: "15000" },
  createdAt: "2026-12-02T01:02:03.456Z",
  ...overrides,
});

test("a batch appends as one-by-one appends would: consecutive seqs per user, each result's unread state, copies and redeliveries not counted", async ({
  database,
}) => {
  const [alice, bob] = [`alice-${stamp}`, `bob-${stamp}`];
  const before = await appendInboxItem(database.sql, item(alice));
  expect(before).toMatchObject({ created: true, entry: { seq: 1 }, unread: { unreadCount: 1, version: 1 } });

  const a2 = item(alice);
  const b1 = item(bob);
  const a3 = item(alice);
  const redelivered = { ...item(alice), notificationId: before.entry.item.notificationId };
  const results = await appendInboxItems(database.sql, [a2, b1, a3, { ...a2 }, redelivered]);

  expect(results.map((r) => [r.created, r.entry.seq, r.unread.unreadCount, r.unread.version])).toEqual([
    [true, 2, 2, 2],
    [true, 1, 1, 1],
    [true, 3, 3, 3],
    // the second copy of a2 finds the first, as a redelivery one batch later would
    [false, 2, 3, 3],
    [false, 1, 3, 3],
  ]);
  expect(results[0]?.entry.item).toEqual({
    notificationId: a2.notificationId,
    eventType: a2.eventType,
    title: a2.title,
    body: a2.body,
    data: a2.data,
    createdAt: a2.createdAt,
    readAt: null,
  });
  expect(await inboxHead(database.sql, "tenant-batch", alice)).toEqual({
    lastSeq: 3,
    unreadCount: 3,
    version: 3,
  });
  expect(await inboxHead(database.sql, "tenant-batch", bob)).toEqual({
    lastSeq: 1,
    unreadCount: 1,
    version: 1,
  });
  const feed = await inboxAfter(database.sql, "tenant-batch", alice, 0, 10);
  expect(feed.map((e) => e.item.notificationId)).toEqual([
    before.entry.item.notificationId,
    a2.notificationId,
    a3.notificationId,
  ]);
});

test("concurrent sends batch into few transactions; a value PostgreSQL refuses fails only its own item", async ({
  database,
}) => {
  const user = `carol-${stamp}`;
  const append = inboxAppender(database.sql);
  const good = Array.from({ length: 40 }, () => item(user));
  // U+0000 in a jsonb string: PostgreSQL refuses it (22P05) and with it the whole batch.
  const bad = item(user, { data: { note: "a\u0000b" } });
  const settled = await Promise.allSettled([...good.slice(0, 20), bad, ...good.slice(20)].map(append));

  const failed = settled.filter((s) => s.status === "rejected");
  expect(failed).toHaveLength(1);
  const reason = (failed[0] as PromiseRejectedResult).reason;
  expect(reason).toBeInstanceOf(InboxStoreError);
  expect((reason as InboxStoreError).connection).toBe(false);
  const seqs = settled
    .filter((s): s is PromiseFulfilledResult<Awaited<ReturnType<typeof append>>> => s.status === "fulfilled")
    .map((s) => s.value.entry.seq)
    .sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(await inboxHead(database.sql, "tenant-batch", user)).toEqual({
    lastSeq: 40,
    unreadCount: 40,
    version: 40,
  });
});
