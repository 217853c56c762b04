/**
 * Load measurement of the history and dashboard endpoints on a read model of ≥ 1M rows.
 *   pnpm --filter @fluxnotify/query-api exec tsx scripts/load.ts [--rows 1000000] [--duration 10]
 *     [--connections 50] [--reseed]
 * Seeds database fluxnotify_load (migrated with runMigrations) with one generate_series
 * insert, runs the API in a child process on loopback, and drives it with autocannon.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDbClient, runMigrations } from "@fluxnotify/db";
import { signToken } from "@fluxnotify/shared/dev-token";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import { seedReadModel } from "./load-seed";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/fluxnotify_load" },
    rows: { type: "string", default: "1000000" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    reseed: { type: "boolean", default: false },
  },
});
const url = values["database-url"];
const rows = Number(values.rows);
const USERS = 20_000;

await runMigrations(url);
const database = createDbClient(url, { max: 2 });
const seeded = await seedReadModel(database.db, { rows, users: USERS, force: values.reseed });
console.log(seeded);

const explain = async (label: string, query: ReturnType<typeof sql>) => {
  const plan = await database.db.execute(sql`explain (analyze, buffers, costs off) ${query}`);
  console.log(`\n-- EXPLAIN ANALYZE ${label}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
};
const history = (after?: string) => sql`
  select id, notification_id, status, created_at from notification_log
  where tenant_id = 'load-t3' and user_id = 'u1233' ${after ? sql.raw(after) : sql``}
  order by created_at desc nulls last, id desc nulls last limit 21`;
await explain("history page 1", history());
await explain(
  "history page 2 (keyset)",
  history(`and (created_at, id) < ('2026-01-15T00:00:00Z'::timestamptz, 999999999)`),
);
await explain(
  "recent failures",
  sql`select notification_id, error_message from notification_log where tenant_id = 'load-t3' and status = 'FAILED' order by status_at desc nulls last limit 20`,
);
await explain(
  "daily stats",
  sql`select * from delivery_stats where tenant_id = 'load-t3' and date between '2026-01-01' and '2026-01-31' order by date, channel`,
);
await database.close();

const secret = randomBytes(32).toString("hex");
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
const server = spawn(
  tsx,
  [fileURLToPath(new URL("./load-server.ts", import.meta.url)), "--database-url", url, "--secret", secret],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const [chunk] = (await once(server.stdout, "data")) as [Buffer];
const port = Number(/PORT (\d+)/.exec(chunk.toString())?.[1]);
const token = await signToken(secret, { userId: "ops", tenantId: "load-t3", roles: ["admin"] });

// Users of tenant load-t3 are those with user number ≡ 3 (mod 10) in the seed.
const randomUser = () => `u${Math.floor(Math.random() * (USERS / 10)) * 10 + 3}`;
const scenarios: Array<{ name: string; path: () => string }> = [
  {
    name: "history (page 1, random user)",
    path: () => `/api/v1/notifications?userId=${randomUser()}&limit=20`,
  },
  {
    name: "history (status=FAILED filter)",
    path: () => `/api/v1/notifications?userId=${randomUser()}&status=FAILED`,
  },
  {
    name: "dashboard daily (31 days)",
    path: () => "/api/v1/dashboard/delivery?from=2026-01-01&to=2026-01-31",
  },
  {
    name: "dashboard channels (31 days)",
    path: () => "/api/v1/dashboard/delivery/channels?from=2026-01-01&to=2026-01-31",
  },
  { name: "dashboard failures (limit 20)", path: () => "/api/v1/dashboard/delivery/failures?limit=20" },
];
const results: Array<Record<string, unknown>> = [];
try {
  for (const scenario of scenarios) {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: Number(values.connections),
      duration: Number(values.duration),
      headers: { authorization: `Bearer ${token}` },
      requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: scenario.path() }) }],
    });
    results.push({
      scenario: scenario.name,
      "req/s (avg)": Math.round(result.requests.average),
      "p50 ms": result.latency.p50,
      "p99 ms": result.latency.p99,
      "max ms": result.latency.max,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
    });
  }
  console.table(results);
} finally {
  server.kill("SIGTERM");
}
