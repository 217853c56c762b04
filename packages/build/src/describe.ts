import type { BuildRecord } from "./bundle";
import { WEB_OUT } from "./web";

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const total = (outputs: BuildRecord["outputs"]) => outputs.reduce((sum, output) => sum + output.bytes, 0);

/** "dist/index.js 2.10 MiB (map 3.40 MiB), 2 files beside 1.83 MiB, 612 inputs, 0.8 s" */
export function describeRecord(record: BuildRecord): string {
  const entryFiles = new Set(record.entries.map((entry) => `${entry.name}.js`));
  const isWeb = (output: { file: string }) => output.file.startsWith(`${WEB_OUT}/`);
  const code = record.outputs.filter((output) => entryFiles.has(output.file));
  const maps = record.outputs.filter((output) => !isWeb(output) && output.file.endsWith(".map"));
  const web = record.outputs.filter(isWeb);
  // The files of file imports (packages/build/src/bundle.ts), which dist/ must keep beside it.
  const beside = record.outputs.filter(
    (output) => !entryFiles.has(output.file) && !output.file.endsWith(".map") && !isWeb(output),
  );
  const files = code.map((output) => `dist/${output.file} ${mib(output.bytes)}`).join(", ");
  const extra = beside.length > 0 ? `, ${beside.length} files beside ${mib(total(beside))}` : "";
  const app = web.length > 0 ? `, web app dist/${WEB_OUT}/ ${web.length} files ${mib(total(web))}` : "";
  return `${files} (map ${mib(total(maps))})${extra}${app}, ${record.inputs.length} inputs, ${(record.durationMs / 1000).toFixed(1)} s`;
}
