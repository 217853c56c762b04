import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { bundle, DEFAULT_ENTRIES, isFresh } from "../src/bundle";

// Vite as an app declares it: apps/console's, linked into the fixture's node_modules.
const CONSOLE_DIR = fileURLToPath(new URL("../../../apps/console/", import.meta.url));
const VITE_DIR = dirname(createRequire(join(CONSOLE_DIR, "package.json")).resolve("vite/package.json"));

// A package with a server entry and a web app in miniature (no plugins: plain TypeScript).
const FIXTURE: Record<string, string> = {
  "package.json": '{ "name": "web-fixture", "type": "module", "web": "web" }',
  "src/index.ts": 'console.log("server");',
  "web/vite.config.ts": "export default { build: { outDir: '../dist/public' } };",
  "web/index.html": '<!doctype html><div id="root"></div><script type="module" src="/src/main.ts"></script>',
  // Which build it was, as the browser would see it.
  "web/src/main.ts": 'document.body.dataset.mode = import.meta.env.PROD ? "production" : "development";',
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "fluxnotify-web-"));
  dirs.push(dir);
  const earlier = new Date(Date.now() - 10_000);
  for (const [path, content] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    utimesSync(join(dir, path), earlier, earlier);
  }
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(VITE_DIR, join(dir, "node_modules", "vite"), "dir");
  return dir;
}

describe("bundle with a web app", () => {
  it("builds the app into dist/public beside the bundle, for production even under NODE_ENV=test", async () => {
    const dir = fixture();
    expect(process.env.NODE_ENV).toBe("test");
    const record = await bundle(dir, DEFAULT_ENTRIES, { web: "web" });
    expect(process.env.NODE_ENV).toBe("test");
    expect(record.web).toBe("web");
    const files = record.outputs.map((output) => output.file);
    expect(files).toEqual(
      expect.arrayContaining([
        "index.js",
        "public/index.html",
        expect.stringMatching(/^public\/assets\/.+\.js$/),
      ]),
    );
    expect(record.inputs).toEqual(
      expect.arrayContaining(["src/index.ts", "web/index.html", "web/src/main.ts", "web/vite.config.ts"]),
    );
    const script = files.find((file) => file.endsWith(".js") && file.startsWith("public/")) as string;
    const code = readFileSync(join(dir, "dist", script), "utf8");
    expect(code).toContain("production");
    expect(code).not.toContain("development");
  });

  it("is stale once a file of the app changes, and keeps or removes dist/public with the app", async () => {
    const dir = fixture();
    await bundle(dir, DEFAULT_ENTRIES, { web: "web" });
    expect(await isFresh(dir, DEFAULT_ENTRIES, { web: "web" })).toBe(true);
    expect(await isFresh(dir, DEFAULT_ENTRIES)).toBe(false);
    await sleep(20);
    writeFileSync(join(dir, "web/src/main.ts"), 'document.body.dataset.mode = "changed";');
    expect(await isFresh(dir, DEFAULT_ENTRIES, { web: "web" })).toBe(false);
    await bundle(dir, DEFAULT_ENTRIES, { web: "web" });
    expect(await isFresh(dir, DEFAULT_ENTRIES, { web: "web" })).toBe(true);
    // Without its web app, the package's dist/ holds no leftover of one.
    await bundle(dir);
    expect(existsSync(join(dir, "dist/public"))).toBe(false);
  });
});
