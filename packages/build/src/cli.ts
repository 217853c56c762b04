// fluxnotify-build [name=source ...]: bundles the package in the working directory (pnpm runs a
// package's scripts there). No arguments: the package.json's "bundle" entries, or
// src/index.ts → dist/index.js, as every app builds (entriesOf); and the package's web app
// into dist/public where its package.json names one (buildOptionsOf).
//   fluxnotify-build migrate=src/migrate-cli.ts   → dist/migrate.js
import { basename } from "node:path";
import { bundle, type Entry } from "./bundle";
import { describeRecord } from "./describe";
import { buildOptionsOf, entriesOf } from "./entries";

function parseEntry(argument: string): Entry {
  const [name, source] = argument.split("=");
  if (!name || !source) throw new Error(`expected name=source, got "${argument}"`);
  return { name, source };
}

const packageDir = process.cwd();
const args = process.argv.slice(2);
try {
  const record = await bundle(
    packageDir,
    args.length > 0 ? args.map(parseEntry) : await entriesOf(packageDir),
    await buildOptionsOf(packageDir),
  );
  console.log(`${basename(packageDir)}: ${describeRecord(record)}`);
} catch (error) {
  // esbuild has already printed its own diagnostics; this says which package failed.
  console.error(`${basename(packageDir)}: build failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
