import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runMigrations } from "../src/migrate";

const baseUrl = inject("databaseUrl");
const scratchName = `fluxnotify_migrate_${randomUUID().slice(0, 8)}`;
const scratchUrl = (() => {
  const url = new URL(baseUrl);
  url.pathname = `/${scratchName}`;
  return url.toString();
})();

async function withSql<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

afterAll(async () => {
  const admin = new URL(baseUrl);
  admin.pathname = "/postgres";
  await withSql(admin.toString(), (sql) =>
    sql.unsafe(`drop database if exists "${scratchName}" with (force)`),
  );
});

describe("runMigrations", () => {
  it("creates the database and every table on an empty server, then re-applies as a no-op", async () => {
    expect(await runMigrations(scratchUrl)).toEqual({ createdDatabase: true });
    const tables = await withSql(
      scratchUrl,
      (sql) =>
        sql<{ tablename: string }[]>`select tablename from pg_tables where schemaname = 'public' order by 1`,
    );
    expect(tables.map((t) => t.tablename)).toEqual([
      "delivery_stats",
      "dlq_audit",
      "dlq_messages",
      "dlq_originals",
      "inbox_items",
      "inbox_state",
      "notification_events",
      "notification_log",
      "order_users",
      "parked_events",
      "payment_orders",
      "processed_events",
      "push_subscriptions",
      "tenants",
      "user_notification_settings",
    ]);
    const applied = () =>
      withSql(
        scratchUrl,
        (sql) => sql`select hash, created_at from drizzle.__drizzle_migrations order by id`,
      );
    const before = await applied();
    expect(before.length).toBeGreaterThan(0);

    expect(await runMigrations(scratchUrl)).toEqual({ createdDatabase: false });
    expect(await applied()).toEqual(before);
  });

  it("fails loudly on an unreachable server", async () => {
    await expect(runMigrations("postgres://postgres@127.0.0.1:1/nothing")).rejects.toThrow();
  });
});
