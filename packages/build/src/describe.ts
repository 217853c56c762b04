import type { BuildRecord } from "./bundle";

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** "dist/index.js 2.10 MiB (map 3.40 MiB), 612 inputs, 0.8 s" */
export function describeRecord(record: BuildRecord): string {
  const code = record.outputs.filter((output) => output.file.endsWith(".js"));
  const maps = record.outputs.filter((output) => output.file.endsWith(".map"));
  const files = code.map((output) => `dist/${output.file} ${mib(output.bytes)}`).join(", ");
  const mapBytes = maps.reduce((sum, output) => sum + output.bytes, 0);
  return `${files} (map ${mib(mapBytes)}), ${record.inputs.length} inputs, ${(record.durationMs / 1000).toFixed(1)} s`;
}
