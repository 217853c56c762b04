import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

// packages/db/drizzle from src/ here, and from dist/migrate.js (the bundled CLI, laid out the
// same way in the Dockerfile's setup image).
const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));
const DUPLICATE_DATABASE = "42P04";

/** Creates the database named in `url` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database");
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return false;
    try {
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false; // created concurrently
      throw error;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Applies the drizzle-kit migrations not yet applied; a no-op on an up-to-date database. */
export async function runMigrations(url: string): Promise<{ createdDatabase: boolean }> {
  const createdDatabase = await ensureDatabase(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { createdDatabase };
}
