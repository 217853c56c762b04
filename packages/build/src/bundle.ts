import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
import { buildWeb } from "./web";

/** `dist/<name>.js` from `source`, relative to the package directory. */
export interface Entry {
  name: string;
  source: string;
}

/** What every app builds (its package.json `build` script and the platform's starters alike). */
export const DEFAULT_ENTRIES: readonly Entry[] = [{ name: "index", source: "src/index.ts" }];

export const DIST = "dist";
const RECORD = "build.json";

/** What a package builds besides its entries (package.json, see entries.ts). */
export interface BuildOptions {
  /** The root of its single-page app (a Vite project), built into dist/public (./web). */
  web?: string | undefined;
}

/** dist/build.json: what a bundle was made from, for `isFresh` and for checks of the output. */
export interface BuildRecord {
  /** When esbuild started reading sources: an input modified since makes the bundle stale. */
  startedAt: number;
  entries: Entry[];
  /** The single-page app's root, when the package has one (BuildOptions). */
  web?: string;
  /** Every file esbuild (and Vite, for the web app) read, relative to the package directory. */
  inputs: string[];
  /** Imports left to Node at run time: `node:` built-ins only (see assertSelfContained). */
  externals: string[];
  outputs: Array<{ file: string; bytes: number }>;
  durationMs: number;
}

/**
 * ESM output has no `require`, but bundled CommonJS packages (express, pino, nodemailer,
 * ioredis, react-dom/server, ...) still call it for Node built-ins, and esbuild's shim throws
 * "Dynamic require of "events" is not supported" unless a real one is in scope.
 */
const BANNER = [
  'import { createRequire as __bundleCreateRequire } from "node:module";',
  "const require = __bundleCreateRequire(import.meta.url);",
].join("\n");

/**
 * Packages whose default entry reads files next to itself at run time, swapped for an
 * equivalent entry that carries the data inline. Checked by loading every bundle outside the
 * repository (packages/platform/test/bundles.test.ts).
 */
const SWAPS: Record<string, string> = {
  // Reads dist/native.wasm relative to its own file at import time (crc32c of every Kafka
  // record batch, lz4/snappy); `/bundled` is the same module with the wasm inlined.
  "@platformatic/wasm-utils": "@platformatic/wasm-utils/bundled",
};

/**
 * SWAPS, resolved from the importing file as the original import would be (esbuild's `alias`
 * resolves from the working directory, where pnpm's strict node_modules does not have them).
 */
const swapPlugin: Plugin = {
  name: "swap-entries",
  setup(builder) {
    const names = Object.keys(SWAPS).map((name) => name.replace(/[/.]/g, "\\$&"));
    builder.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, async (args) => {
      const replacement = SWAPS[args.path] as string;
      const result = await builder.resolve(replacement, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
      });
      return result.errors.length > 0 ? { errors: result.errors } : { path: result.path };
    });
  },
};

/**
 * Our own modules that read a package's files at run time (swagger-ui-dist's script and
 * stylesheet, for packages/shared/src/http/api-docs) have a twin beside them,
 * `<name>.bundled.ts`: the same exports, finding the files where the bundle has them (file
 * imports, below). Sources (tests, tsx) import the module; bundles get the twin in its place.
 * Relative imports of workspace code only: one stat each.
 */
const TWIN_SUFFIX = ".bundled.ts";
const twinPlugin: Plugin = {
  name: "bundled-twins",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
      const twin = resolve(args.resolveDir, args.path.replace(/\.[cm]?[jt]sx?$/, "")) + TWIN_SUFFIX;
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

/**
 * `import path from "<package>/<file>" with { type: "file" }` (a twin's, since neither Node
 * nor vitest loads it): esbuild's file loader writes the file into dist/ beside the bundle
 * under a content-hashed name, and the import is its path relative to the bundle. The bytes
 * stay on disk until asked for: inlined as text instead, Swagger UI's 1.9 MB cost each API
 * process 12-15 MiB of idle RSS, whether anyone opened /docs or not.
 */
const fileImportPlugin: Plugin = {
  name: "file-imports",
  setup(builder) {
    builder.onLoad({ filter: /.*/ }, async (args) =>
      args.with.type === "file" ? { contents: await readFile(args.path), loader: "file" } : undefined,
    );
  },
};

// This file's own changes (options above) make every earlier bundle stale.
const TOOL_SOURCES = [fileURLToPath(import.meta.url)];

/**
 * Bundles a package's entries into self-contained ES modules for Node 24: workspace packages
 * (which export TypeScript sources) and every third-party dependency are inlined, so
 * `node dist/<name>.js` needs nothing outside dist/ (which also holds the files of file
 * imports and, for a package with a web app, its built files under dist/public: copy it
 * whole). Unminified, with linked source maps
 * (run with --enable-source-maps); no sourcesContent, since positions are all stack traces
 * and profiles need. Outputs are replaced atomically: a process starting meanwhile reads
 * either the old file or the new one (the web app's files, rewritten by Vite, are not: they
 * are served, not loaded at start).
 */
export async function bundle(
  packageDir: string,
  entries: readonly Entry[] = DEFAULT_ENTRIES,
  options: BuildOptions = {},
) {
  const startedAt = Date.now();
  const result = await build({
    absWorkingDir: resolve(packageDir),
    entryPoints: Object.fromEntries(entries.map((entry) => [entry.name, entry.source])),
    outdir: DIST,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    // The templates are .tsx: React's automatic runtime, as tsconfig's "jsx": "react-jsx".
    jsx: "automatic",
    sourcemap: "linked",
    sourcesContent: false,
    plugins: [swapPlugin, twinPlugin, fileImportPlugin],
    banner: { js: BANNER },
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const distDir = join(packageDir, DIST);
  await mkdir(distDir, { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  // The browser's files are no part of the bundle: they only have to be beside it.
  const web = options.web ? await buildWeb(packageDir, options.web, distDir) : undefined;
  const webInputs = (web?.inputs ?? []).map((path) => relative(resolve(packageDir), path));
  const record: BuildRecord = {
    startedAt,
    entries: [...entries],
    ...(options.web ? { web: options.web } : {}),
    inputs: [...new Set([...Object.keys(result.metafile.inputs).filter(isFilePath), ...webInputs])],
    externals: externalsOf(result.metafile),
    outputs: [
      ...result.outputFiles.map((file) => ({
        file: relative(distDir, file.path),
        bytes: file.contents.byteLength,
      })),
      ...(web?.outputs ?? []),
    ].sort((a, b) => a.file.localeCompare(b.file)),
    durationMs: Date.now() - startedAt,
  };
  await writeFile(join(distDir, RECORD), `${JSON.stringify(record, null, 1)}\n`);
  // Top-level names: the web app's files are all under public/.
  const kept = record.outputs.map((output) => output.file.split("/")[0] as string);
  await removeLeftovers(distDir, new Set([RECORD, ...kept]));
  assertSelfContained(record);
  return record;
}

/** A bundle that imports anything but Node's built-ins would need a node_modules beside it. */
export function assertSelfContained(record: Pick<BuildRecord, "externals">): void {
  const foreign = record.externals.filter((path) => !isBuiltin(path));
  if (foreign.length > 0) throw new Error(`the bundle imports packages it does not contain: ${foreign}`);
}

/**
 * True when dist/ holds a bundle of these entries made after the last change to any file it
 * was made from (and to this tool). A few hundred stat calls: cheap enough to run before
 * every start of the platform.
 */
export async function isFresh(
  packageDir: string,
  entries: readonly Entry[] = DEFAULT_ENTRIES,
  options: BuildOptions = {},
) {
  const record = await readRecord(packageDir);
  if (!record || JSON.stringify(record.entries) !== JSON.stringify(entries)) return false;
  if (record.web !== options.web) return false;
  const distDir = join(packageDir, DIST);
  const sources = [...record.inputs.map((input) => resolve(packageDir, input)), ...TOOL_SOURCES];
  const outputs = record.outputs.map((output) => join(distDir, output.file));
  const [sourceTimes, outputTimes] = await Promise.all([mtimes(sources), mtimes(outputs)]);
  return (
    sourceTimes.every((time) => time !== undefined && time < record.startedAt) &&
    outputTimes.every((time) => time !== undefined)
  );
}

export async function readRecord(packageDir: string): Promise<BuildRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(packageDir, DIST, RECORD), "utf8")) as BuildRecord;
  } catch {
    return undefined;
  }
}

function mtimes(paths: string[]): Promise<Array<number | undefined>> {
  return Promise.all(
    paths.map((path) =>
      stat(path).then(
        (stats) => stats.mtimeMs,
        () => undefined,
      ),
    ),
  );
}

// Metafile inputs outside the file namespace look like "<namespace>:<path>".
const isFilePath = (input: string) => !/^[a-z-]+:/.test(input);

function externalsOf(metafile: Metafile): string[] {
  const paths = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => entry.path),
  );
  return [...new Set(paths)].sort();
}

/** Files of an earlier build with other entries (never another builder's temporary file). */
async function removeLeftovers(distDir: string, keep: Set<string>) {
  for (const name of await readdir(distDir)) {
    if (!keep.has(name) && !name.endsWith(".tmp")) await rm(join(distDir, name), { recursive: true });
  }
}
