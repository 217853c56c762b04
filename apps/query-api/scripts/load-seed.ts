import type { Database } from "@fluxnotify/db";
import { sql } from "drizzle-orm";

/**
 * Fills notification_log with `rows` synthetic notifications in ONE insert … select
 * generate_series: 10 tenants, `users` users (user u belongs to tenant u mod 10), ~29 days of
 * created_at, ~5% FAILED, ~5% SKIPPED, 2% PENDING, the rest SENT (status moduli coprime with
 * 10, so every tenant gets every status), and delivery_stats with exactly the matching counters.
 * Skipped when the table already holds that many rows (unless `force`).
 */
export async function seedReadModel(db: Database, options: { rows: number; users: number; force: boolean }) {
  const [existing] = await db.execute(sql`select count(*)::int as n from notification_log`);
  if (!options.force && Number(existing?.n) >= options.rows)
    return { seeded: false, rows: Number(existing?.n) };
  const started = Date.now();
  await db.execute(sql`truncate notification_log, delivery_stats restart identity`);
  await db.execute(sql`
    insert into notification_log (notification_id, tenant_id, event_id, event_type, user_id, channel, status,
      recipient, reason_code, error_message, attempts, sent_at, status_at, created_at, updated_at)
    select 'load-' || g, 'load-t' || (u % 10), 'evt-' || (g / 2), 
      (array['com.fluxpay.payment.approved','com.fluxpay.order.created','com.fluxpay.refund.completed'])[g % 3 + 1],
      'u' || u, (array['EMAIL','SLACK','IN_APP'])[(g / 7) % 3 + 1], st,
      'user' || u || '@example.com',
      case st when 'FAILED' then 'SMTP_550' when 'SKIPPED' then 'CHANNEL_DISABLED' end,
      case st when 'FAILED' then 'mailbox unavailable' end,
      case when st in ('SENT', 'FAILED') then 1 end,
      case st when 'SENT' then ts + interval '2 seconds' end,
      ts + interval '2 seconds', ts, now()
    from (
      select g, (g * 7919) % ${options.users} as u,
        timestamptz '2026-01-01 00:00:00+00' + (g * interval '2.5 seconds') as ts,
        case when g % 21 = 0 then 'FAILED' when g % 21 = 1 then 'SKIPPED' when g % 49 = 2 then 'PENDING' else 'SENT' end as st
      from generate_series(1::int8, ${options.rows}::int8) as g
    ) s`);
  await db.execute(sql`
    insert into delivery_stats (tenant_id, date, channel, sent_count, failed_count, skipped_count)
    select tenant_id, (created_at at time zone 'Asia/Seoul')::date, channel,
      count(*) filter (where status = 'SENT'), count(*) filter (where status = 'FAILED'),
      count(*) filter (where status = 'SKIPPED')
    from notification_log where status <> 'PENDING' group by 1, 2, 3`);
  await db.execute(sql`analyze notification_log`);
  await db.execute(sql`analyze delivery_stats`);
  return { seeded: true, rows: options.rows, seconds: (Date.now() - started) / 1000 };
}
