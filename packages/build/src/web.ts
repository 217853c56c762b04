import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { isAbsolute, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { asProduction } from "./env";

/**
 * A package's single-page app (apps/console/web): a Vite project whose build goes into
 * dist/public/ beside the bundle, so `node dist/index.js` serves it from there and the image's
 * `COPY dist/` carries it. The package names its root in package.json (`"web": "web"`).
 */
export const WEB_OUT = "public";

const CONFIG_FILES = ["vite.config.ts", "vite.config.mts", "vite.config.js", "vite.config.mjs"];

/** The little of Vite's API used here (its types live with the app, not with this tool). */
interface ViteApi {
  build(config: Record<string, unknown>): Promise<unknown>;
}

interface PluginContext {
  getModuleIds(): IterableIterator<string>;
}

export interface WebBuild {
  /** Every file the build read, absolute (modules, the HTML entry, the config). */
  inputs: string[];
  /** What it wrote, relative to dist/ (`public/assets/index-…js`). */
  outputs: Array<{ file: string; bytes: number }>;
}

/**
 * Vite as the package itself resolves it: the app declares the version it is built with (and
 * its config imports its plugins from there); this tool only drives it. Loaded only for a
 * package with a web app, so bundling the others never pays for it.
 */
async function loadVite(packageDir: string): Promise<ViteApi> {
  const require = createRequire(join(packageDir, "package.json"));
  let entry: string;
  try {
    entry = require.resolve("vite");
  } catch {
    throw new Error(`${packageDir} has a web app but no "vite" among its dependencies`);
  }
  return (await import(pathToFileURL(entry).href)) as ViteApi;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Builds `<packageDir>/<root>` with its own vite.config into dist/public (emptied first), and
 * says what it read, so isFresh can tell when the app changed, as it does for the bundle.
 */
export async function buildWeb(packageDir: string, root: string, distDir: string): Promise<WebBuild> {
  const webRoot = join(packageDir, root);
  const configFile = CONFIG_FILES.map((name) => join(webRoot, name)).find((path) => existsSync(path));
  if (!configFile) throw new Error(`${webRoot} has no vite.config.ts`);
  const outDir = join(distDir, WEB_OUT);
  const read = new Set<string>([configFile]);
  const vite = await loadVite(packageDir);
  // A production build whoever runs it (./env: under vitest NODE_ENV is "test").
  await asProduction(() =>
    vite.build({
      root: webRoot,
      configFile,
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true },
      plugins: [
        {
          name: "fluxnotify-build-inputs",
          buildEnd(this: PluginContext) {
            for (const id of this.getModuleIds()) {
              // Virtual modules start with \0; a query (`?url`) is a view of the file before it.
              const path = id.split("?")[0] as string;
              if (isAbsolute(path) && existsSync(path)) read.add(path);
            }
          },
        },
      ],
    }),
  );
  const written = await filesUnder(outDir);
  const outputs = await Promise.all(
    written.map(async (path) => ({
      file: relative(distDir, path).split(sep).join("/"),
      bytes: (await stat(path)).size,
    })),
  );
  return { inputs: [...read], outputs: outputs.sort((a, b) => a.file.localeCompare(b.file)) };
}
