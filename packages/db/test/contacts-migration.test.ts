import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, expect, inject, it } from "vitest";

/**
 * Migrations 0005/0006 move contact points from a column per channel into `contacts`: run
 * the SQL files in order on a scratch database with rows saved before the move, and check
 * what each row holds after it.
 */
const baseUrl = inject("databaseUrl");
const name = `fluxnotify_contacts_${randomUUID().slice(0, 8)}`;
const urlOf = (database: string) => {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
};
const folder = join(import.meta.dirname, "..", "drizzle");
const files = readdirSync(folder)
  .filter((file) => file.endsWith(".sql"))
  .sort();
const statements = (file: string) =>
  readFileSync(join(folder, file), "utf8")
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter(Boolean);

afterAll(async () => {
  const admin = postgres(urlOf("postgres"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

it("moves email and slack_webhook_url into contacts by channel, keeping rows without either", async () => {
  const admin = postgres(urlOf("postgres"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const sql = postgres(urlOf(name), { max: 1, onnotice: () => {} });
  try {
    const before = files.filter((file) => file < "0005");
    const after = files.filter((file) => file >= "0005");
    expect(after.slice(0, 2)).toEqual(["0005_contacts_by_channel.sql", "0006_drop_contact_columns.sql"]);
    for (const file of before) for (const statement of statements(file)) await sql.unsafe(statement);
    await sql`
      insert into user_notification_settings (tenant_id, user_id, email, slack_webhook_url, channels)
      values ('t', 'both', 'kim@example.com', 'https://hooks.slack.com/services/T/B/x', '{"SLACK": false}'),
             ('t', 'email-only', 'lee@example.com', null, '{}'),
             ('t', 'none', null, null, '{"EMAIL": false}')`;
    for (const file of after) for (const statement of statements(file)) await sql.unsafe(statement);

    const rows = await sql<{ userId: string; contacts: unknown; channels: unknown }[]>`
      select user_id as "userId", contacts, channels from user_notification_settings order by user_id`;
    expect(rows).toEqual([
      {
        userId: "both",
        contacts: { EMAIL: "kim@example.com", SLACK: "https://hooks.slack.com/services/T/B/x" },
        channels: { SLACK: false },
      },
      { userId: "email-only", contacts: { EMAIL: "lee@example.com" }, channels: {} },
      { userId: "none", contacts: {}, channels: { EMAIL: false } },
    ]);
    const columns = await sql<{ column_name: string }[]>`
      select column_name from information_schema.columns where table_name = 'user_notification_settings'`;
    expect(columns.map((c) => c.column_name)).not.toContain("email");
    expect(columns.map((c) => c.column_name)).not.toContain("slack_webhook_url");
  } finally {
    await sql.end();
  }
});
