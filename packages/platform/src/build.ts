import { basename, join } from "node:path";
import { buildOptionsOf, bundle, describeRecord, entriesOf, isFresh } from "@fluxnotify/build";
import { APP_NAMES, type AppName, appDir, REPO_ROOT } from "./apps";

export interface EnsureBuiltOptions {
  /** Progress lines ("building apps: …"); nothing is printed when every bundle is fresh. */
  log?: (line: string) => void;
}

/** What the Docker image's setup target bundles: the migrate and create-topics CLIs. */
export const SETUP_PACKAGES = [join(REPO_ROOT, "packages", "db"), join(REPO_ROOT, "packages", "shared")];

/**
 * Bundles every package whose dist is missing or older than any file it was made from,
 * exactly as its `pnpm build` does; a no-op (a few hundred stat calls each) otherwise.
 * Returns the packages it built.
 */
export async function ensureBuilt(
  what: string,
  packageDirs: readonly string[],
  options: EnsureBuiltOptions = {},
): Promise<string[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const entries = await Promise.all(packageDirs.map(entriesOf));
  const extras = await Promise.all(packageDirs.map(buildOptionsOf));
  const fresh = await Promise.all(
    packageDirs.map((dir, index) => isFresh(dir, entries[index], extras[index])),
  );
  const stale = packageDirs.filter((_, index) => !fresh[index]);
  if (stale.length === 0) return [];
  log(`building ${what} (esbuild → dist/): ${stale.map((dir) => basename(dir)).join(", ")}`);
  const started = Date.now();
  // esbuild parallelizes inside one build; several at once only contend for the same cores.
  for (const dir of stale) {
    const index = packageDirs.indexOf(dir);
    const record = await bundle(dir, entries[index], extras[index]);
    log(`  ${basename(dir)}: ${describeRecord(record)}`);
  }
  log(`${what} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return stale;
}

/**
 * The apps' bundles (apps/<app>/dist/index.js), rebuilt where stale. Every caller that starts
 * apps (bin/dev, e2e, bin/bench, bin/faults) runs this first, so what runs is always the
 * current source, compiled.
 */
export async function ensureAppsBuilt(
  options: EnsureBuiltOptions & { names?: readonly AppName[] } = {},
): Promise<AppName[]> {
  const names = options.names ?? APP_NAMES;
  const built = await ensureBuilt("apps", names.map(appDir), options);
  return names.filter((name) => built.includes(appDir(name)));
}
