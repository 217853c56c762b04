import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProcessSpec } from "../src/apps";
import { startPlatform } from "../src/supervisor";

// A stand-in app: answers /readyz, prints a line, exits 0 on SIGTERM.
const server = (port: number) => `
  const http = require("node:http");
  const s = http.createServer((req, res) => res.end("ok")).listen(${port}, "127.0.0.1", () => console.log("up " + process.env.GREETING));
  process.on("SIGTERM", () => { console.log("draining"); s.close(() => process.exit(0)); });
`;

const spec = (name: string, port: number): ProcessSpec => ({
  name,
  command: [process.execPath, "-e", server(port)],
  env: { GREETING: name },
  readyUrl: `http://127.0.0.1:${port}/readyz`,
});

describe("startPlatform", () => {
  it("starts, kills, restarts and stops processes, logging their output", async () => {
    const logDir = mkdtempSync(join(tmpdir(), "platform-"));
    const exits: Array<[string, boolean]> = [];
    const lines: string[] = [];
    const platform = await startPlatform([spec("a", 18_771), spec("b", 18_772)], {
      logDir,
      onLine: (name, line) => lines.push(`${name}: ${line}`),
      onExit: (name, _exit, expected) => exits.push([name, expected]),
    });
    try {
      await platform.waitReady();
      const firstPid = platform.pid("a");
      expect(await platform.kill("a", "SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
      expect(platform.pid("a")).toBeUndefined();
      await platform.restart("a");
      expect(platform.pid("a")).not.toBe(firstPid);
      expect(await platform.kill("b", "SIGTERM")).toEqual({ code: 0, signal: null });
    } finally {
      await platform.stop();
    }
    expect(lines).toContain("b: draining");
    expect(exits).toEqual([
      ["a", true],
      ["b", true],
      ["a", true],
    ]);
    expect(readFileSync(join(logDir, "a.log"), "utf8").match(/up a/g)).toHaveLength(2);
  });

  it("reports an exit it did not ask for, and waitReady fails fast on it", async () => {
    const exits: Array<[string, boolean]> = [];
    const crash: ProcessSpec = {
      name: "crash",
      command: [process.execPath, "-e", "console.error('boom'); process.exit(3)"],
      env: {},
      readyUrl: "http://127.0.0.1:18773/readyz",
    };
    const platform = await startPlatform([crash], {
      onExit: (name, _e, expected) => exits.push([name, expected]),
    });
    await expect(platform.waitReady(undefined, 20_000)).rejects.toThrow(/crash is not running[\s\S]*boom/);
    expect(exits).toEqual([["crash", false]]);
    await platform.stop();
  });
});
