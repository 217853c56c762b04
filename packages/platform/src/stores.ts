import { runMigrations } from "@fluxnotify/db/migrate";
import { Redis } from "ioredis";
import postgres from "postgres";

/**
 * Creates the database if missing and applies every migration (packages/db's migrate).
 * `reset` drops it first (terminating its connections) for a run that starts clean.
 */
export async function prepareDatabase(databaseUrl: string, options: { reset?: boolean } = {}): Promise<void> {
  if (options.reset) await dropDatabase(databaseUrl);
  await runMigrations(databaseUrl);
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  if (!name) throw new Error("the database URL names no database");
  if (["postgres", "template0", "template1"].includes(name)) throw new Error(`refusing to drop ${name}`);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Empties the one Redis database the URL names (dedup marks, settings cache, in-app history). */
export async function flushRedisDb(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
