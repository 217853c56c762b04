import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { assertSelfContained, bundle, isFresh } from "../src/bundle";

// A package like ours in miniature: extensionless TypeScript imports, JSON, and a CommonJS
// dependency that requires a Node built-in (what the createRequire banner is for).
const FIXTURE: Record<string, string> = {
  "src/index.ts": [
    'import { Emitter } from "cjs-dep";',
    'import data from "./data.json";',
    'import { greet } from "./greet";',
    "console.log(greet(data.name), typeof Emitter);",
  ].join("\n"),
  "src/greet.ts": 'export const greet = (name: string): string => "hello " + name;',
  "src/data.json": '{ "name": "bundle" }',
  "node_modules/cjs-dep/package.json": '{ "name": "cjs-dep", "main": "index.js" }',
  "node_modules/cjs-dep/index.js":
    'const { EventEmitter } = require("node:events");\nexports.Emitter = EventEmitter;',
};

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "fluxnotify-build-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fixture(extra: Record<string, string> = {}): string {
  const dir = tempDir();
  // Written "a while ago": a file modified in the millisecond a build starts counts as newer.
  const earlier = new Date(Date.now() - 10_000);
  for (const [path, content] of Object.entries({ ...FIXTURE, ...extra })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    utimesSync(join(dir, path), earlier, earlier);
  }
  return dir;
}

describe("bundle", () => {
  it("writes one file that runs on its own, anywhere", async () => {
    const dir = fixture();
    const record = await bundle(dir);
    expect(record.outputs.map((output) => output.file)).toEqual(["index.js", "index.js.map"]);
    expect(record.externals).toEqual(["node:events"]);
    expect(record.inputs).toContain("src/greet.ts");
    const elsewhere = tempDir();
    cpSync(join(dir, "dist"), elsewhere, { recursive: true });
    const output = execFileSync(process.execPath, [join(elsewhere, "index.js")], { encoding: "utf8" });
    expect(output.trim()).toBe("hello bundle function");
  });

  it("is fresh until a file it was made from changes, or the entries do", async () => {
    const dir = fixture();
    expect(await isFresh(dir)).toBe(false);
    await bundle(dir);
    expect(await isFresh(dir)).toBe(true);
    expect(await isFresh(dir, [{ name: "other", source: "src/index.ts" }])).toBe(false);
    await sleep(20);
    writeFileSync(join(dir, "node_modules/cjs-dep/index.js"), 'exports.Emitter = require("node:events");');
    expect(await isFresh(dir)).toBe(false);
    await sleep(20);
    await bundle(dir);
    expect(await isFresh(dir)).toBe(true);
    rmSync(join(dir, "dist/index.js"));
    expect(await isFresh(dir)).toBe(false);
  });

  it("removes what an earlier build with other entries left in dist", async () => {
    const dir = fixture();
    await bundle(dir, [{ name: "old", source: "src/index.ts" }]);
    const record = await bundle(dir);
    expect(record.outputs.map((output) => output.file)).toEqual(["index.js", "index.js.map"]);
    expect(existsSync(join(dir, "dist/old.js"))).toBe(false);
  });

  it("puts a module's .bundled.ts twin in its place, and copies the files it imports as files beside the bundle", async () => {
    const dir = fixture({
      "src/index.ts": 'import { motd } from "./motd";\nconsole.log(motd());',
      // What sources run: reads the package's file where node_modules has it.
      "src/motd.ts":
        'import { readFileSync } from "node:fs";\nexport const motd = () => readFileSync("node_modules/cjs-dep/motd.txt", "utf8");',
      "src/motd.bundled.ts": [
        'import { readFileSync } from "node:fs";',
        'import file from "cjs-dep/motd.txt" with { type: "file" };',
        "export const motd = () => readFileSync(new URL(file, import.meta.url), 'utf8');",
      ].join("\n"),
      "node_modules/cjs-dep/motd.txt": "read from beside the bundle",
    });
    const record = await bundle(dir);
    expect(record.inputs).toEqual(
      expect.arrayContaining(["src/motd.bundled.ts", "node_modules/cjs-dep/motd.txt"]),
    );
    expect(record.inputs).not.toContain("src/motd.ts");
    expect(record.outputs.map((output) => output.file)).toEqual([
      "index.js",
      "index.js.map",
      expect.stringMatching(/^motd-\w+\.txt$/),
    ]);
    const elsewhere = tempDir();
    cpSync(join(dir, "dist"), elsewhere, { recursive: true });
    const output = execFileSync(process.execPath, [join(elsewhere, "index.js")], {
      encoding: "utf8",
      cwd: elsewhere,
    });
    expect(output.trim()).toBe("read from beside the bundle");
    // A rebuild keeps the file it names and nothing older.
    writeFileSync(join(dir, "node_modules/cjs-dep/motd.txt"), "changed");
    const again = await bundle(dir);
    expect(readdirSync(join(dir, "dist")).sort()).toEqual(
      ["build.json", ...again.outputs.map((output) => output.file)].sort(),
    );
  });

  it("refuses a bundle that would need packages beside it", () => {
    expect(() => assertSelfContained({ externals: ["node:fs", "fs"] })).not.toThrow();
    expect(() => assertSelfContained({ externals: ["node:fs", "prettier"] })).toThrow(/prettier/);
  });
});
