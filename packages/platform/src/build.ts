import { bundle, describeRecord, isFresh } from "@fluxnotify/build";
import { APP_NAMES, type AppName, appDir } from "./apps";

export interface EnsureBuiltOptions {
  names?: readonly AppName[];
  /** Progress lines ("building apps: …"); nothing is printed when every bundle is fresh. */
  log?: (line: string) => void;
}

/**
 * Bundles every app whose apps/<app>/dist is missing or older than any file it was made from,
 * exactly as the app's `pnpm build` does; a no-op (a few hundred stat calls) otherwise. Every
 * caller that starts apps (bin/dev, e2e, bin/bench, bin/faults) runs this first, so what
 * runs is always the current source, compiled. Returns the apps it built.
 */
export async function ensureAppsBuilt(options: EnsureBuiltOptions = {}): Promise<AppName[]> {
  const names = options.names ?? APP_NAMES;
  const log = options.log ?? ((line: string) => console.log(line));
  const fresh = await Promise.all(names.map((name) => isFresh(appDir(name))));
  const stale = names.filter((_, index) => !fresh[index]);
  if (stale.length === 0) return [];
  log(`building apps (esbuild → apps/<app>/dist): ${stale.join(", ")}`);
  const started = Date.now();
  // esbuild parallelizes inside one build; several at once only contend for the same cores.
  for (const name of stale) log(`  ${name}: ${describeRecord(await bundle(appDir(name)))}`);
  log(`apps built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return stale;
}
