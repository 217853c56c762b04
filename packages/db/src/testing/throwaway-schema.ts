import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { createDbClient, type DbClient, type Sql } from "../client";

export interface ThrowawaySchema {
  /** The schema's name (unique per call). */
  name: string;
  /** A client whose search_path is this schema alone: a table it lacks does not exist. */
  client: DbClient;
  drop(): Promise<void>;
}

/**
 * A fresh, empty schema in the test database and a client that sees only it, so every query
 * of an app pointed at it fails with a real PostgreSQL error (42P01, relation does not exist).
 * `prepare` may create tables in it first (`sql` is an admin client, `schema` quoted) to get
 * other real failures, e.g. a copy of a table with a constraint that refuses every row.
 */
export async function throwawaySchema(
  url: string,
  prepare?: (sql: Sql, schema: string) => Promise<void>,
): Promise<ThrowawaySchema> {
  const name = `throwaway_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin`create schema ${admin(name)}`;
  await prepare?.(admin, name);
  const target = new URL(url);
  target.searchParams.set("search_path", name);
  const client = createDbClient(target.toString(), { max: 2, applicationName: "test-throwaway" });
  return {
    name,
    client,
    drop: async () => {
      await client.close();
      await admin`drop schema ${admin(name)} cascade`;
      await admin.end({ timeout: 5 });
    },
  };
}
