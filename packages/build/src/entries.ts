import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type BuildOptions, DEFAULT_ENTRIES, type Entry } from "./bundle";

/**
 * A package's entries: its package.json `"bundle": { "<name>": "<source>" }` (packages/db:
 * `"migrate": "src/migrate-cli.ts"` → dist/migrate.js), else src/index.ts → dist/index.js.
 * One place for both `pnpm build` and the platform's ensure-built checks.
 */
export async function entriesOf(packageDir: string): Promise<readonly Entry[]> {
  const manifest = await manifestOf(packageDir);
  if (!manifest.bundle) return DEFAULT_ENTRIES;
  return Object.entries(manifest.bundle).map(([name, source]) => ({ name, source }));
}

/**
 * What else it builds: its package.json `"web": "<dir>"` names a single-page app (a Vite
 * project with its vite.config.ts there) built into dist/public (apps/console: `"web": "web"`).
 */
export async function buildOptionsOf(packageDir: string): Promise<BuildOptions> {
  const { web } = await manifestOf(packageDir);
  return typeof web === "string" ? { web } : {};
}

async function manifestOf(packageDir: string) {
  return JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    bundle?: Record<string, string>;
    web?: unknown;
  };
}
