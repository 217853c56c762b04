import { readdirSync, readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time covered by the profile. */
  totalMs: number;
  /** Time the main thread was not idle (JS, GC, native work it waited on). */
  busyMs: number;
  topFunctions: Array<{ name: string; location: string; selfMs: number; busyPct: number }>;
  /** Self time by where the code lives: a package, a workspace folder, node internals, GC. */
  byArea: Array<{ area: string; selfMs: number; busyPct: number }>;
}

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

/**
 * The apps run as bundles (apps/<app>/dist/index.js): a frame there is mapped back through the
 * bundle's source map to the file it came from (a package in node_modules, packages/shared/src,
 * ...), so areas and locations read as they did when the sources ran directly.
 */
function sourceMapper() {
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  const mapOf = (url: string) => {
    if (!url.startsWith("file://")) return null;
    let entry = maps.get(url);
    if (entry === undefined) {
      const path = fileURLToPath(url);
      try {
        const payload = JSON.parse(readFileSync(`${path}.map`, "utf8")) as SourceMapPayload;
        entry = { map: new SourceMap(payload), dir: dirname(path) };
      } catch {
        entry = null; // no map: a file that ran as it is
      }
      maps.set(url, entry);
    }
    return entry;
  };
  return (frame: CallFrame): CallFrame => {
    const mapped = mapOf(frame.url);
    if (!mapped) return frame;
    const found = mapped.map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!("originalSource" in found)) return frame;
    const source = found.originalSource;
    const url = /^[a-z]+:/.test(source)
      ? source
      : pathToFileURL(isAbsolute(source) ? source : resolve(mapped.dir, source)).href;
    return { ...frame, url, lineNumber: found.originalLine, columnNumber: found.originalColumn };
  };
}

function areaOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const url = frame.url;
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const workspace = /\/(apps\/[^/]+|packages\/[^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (workspace?.[1])
    return workspace[2] && !workspace[2].includes(".") ? `${workspace[1]}/${workspace[2]}` : workspace[1];
  if (url.startsWith("node:") || url === "") return "node internals / native";
  return url.replace(/^file:\/\//, "");
}

function shortLocation(frame: CallFrame): string {
  const url = frame.url
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "");
  const trimmed = url.replace(/^.*\/(apps|packages)\//, "$1/");
  return trimmed ? `${trimmed}:${frame.lineNumber + 1}` : "";
}

/** Self time per function and per area from a V8 .cpuprofile (node --cpu-prof). */
export function summariseProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const original = sourceMapper();
  const functions = new Map<string, { name: string; location: string; us: number }>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = original((byId.get(id) as CpuProfileNode).callFrame);
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const name = frame.functionName || "(anonymous)";
    const location = shortLocation(frame);
    const key = `${name} ${location}`;
    const entry = functions.get(key) ?? { name, location, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const busyMs = totalMs - idleUs / 1000;
  const pct = (us: number) => Math.round((us / 1000 / Math.max(busyMs, 1)) * 1000) / 10;
  return {
    file: path,
    totalMs: Math.round(totalMs),
    busyMs: Math.round(busyMs),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        location: f.location,
        selfMs: Math.round(f.us / 1000),
        busyPct: pct(f.us),
      })),
    byArea: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), busyPct: pct(us) })),
  };
}

/**
 * The newest main-thread .cpuprofile in `dir`. Node names them
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the app, the others are
 * helper threads (workers, loaders) that inherit NODE_OPTIONS.
 */
export function latestProfile(dir: string): string | undefined {
  try {
    const files = readdirSync(dir)
      .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))
      .sort();
    const last = files[files.length - 1];
    return last ? join(dir, last) : undefined;
  } catch {
    return undefined;
  }
}
