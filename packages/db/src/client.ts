import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index";

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;

export interface DbClient {
  db: Database;
  sql: Sql;
  /** Readiness probe: a round trip to the server. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createDbClient(
  url: string,
  options: { max?: number; applicationName?: string } = {},
): DbClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
    // Silence NOTICEs (e.g. "relation already exists, skipping") in service logs.
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? "fluxnotify",
      // Every hot statement is prepared (one text per batch shape) and runs with an array of
      // keys. A generic plan is cached after five runs and kept until statistics change; it
      // is chosen while the tables are still small (a fresh deployment, a server without
      // autovacuum, as the bench's), so a keyed lookup became a sequential scan of a table
      // that then grew (the projection's, the inbox's: most of PostgreSQL's CPU under load).
      // Planning each run with its real arrays and the tables' current size costs a few
      // tens of microseconds per statement, and every hot statement runs once per batch.
      plan_cache_mode: "force_custom_plan",
      // JIT pays off for long analytical queries, never for these short ones: a misestimated
      // cost above jit_above_cost compiled the parked-events lookup on every run (~90 ms).
      jit: "off",
    },
    // int8 as bigint, never a lossy number (offsets, ids).
    types: { bigint: postgres.BigInt },
  });
  return {
    db: drizzle(sql, { schema, casing: "snake_case" }),
    sql,
    ping: async () => {
      await sql`select 1`;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** postgres.js's own codes, and Node's, for a server it cannot talk to (no SQLSTATE: not the query's fault). */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ETIMEDOUT",
]);

/**
 * Whether a query failed because the database could not be reached (a provider outage for a
 * channel worker, which pauses and probes), rather than because of the query (SQLSTATE).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECTION_CODES.has(code);
}
