import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_ENTRIES, type Entry } from "./bundle";

/**
 * A package's entries: its package.json `"bundle": { "<name>": "<source>" }` (packages/db:
 * `"migrate": "src/migrate-cli.ts"` → dist/migrate.js), else src/index.ts → dist/index.js.
 * One place for both `pnpm build` and the platform's ensure-built checks.
 */
export async function entriesOf(packageDir: string): Promise<readonly Entry[]> {
  const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    bundle?: Record<string, string>;
  };
  if (!manifest.bundle) return DEFAULT_ENTRIES;
  return Object.entries(manifest.bundle).map(([name, source]) => ({ name, source }));
}
