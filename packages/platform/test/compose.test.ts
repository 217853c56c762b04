import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/apps";

/**
 * compose.yaml is checked by dclint in bin/test (no Docker engine here to run it). These
 * prove the check bites: the same command on a copy with one violation fails, naming the
 * rule. And what dclint cannot tell (it takes `redis:7` for a concrete tag): every image
 * from elsewhere names a release.
 */
const COMPOSE = readFileSync(join(REPO_ROOT, "compose.yaml"), "utf8");
const stage = mkdtempSync(join(tmpdir(), "fluxnotify-compose-"));
afterAll(() => rmSync(stage, { recursive: true, force: true }));

/** bin/test's command, on `file`. */
async function dclint(file: string): Promise<{ code: number; output: string }> {
  const args = ["--max-warnings", "0", "--no-color", "-c", ".dclintrc.yaml", file];
  try {
    const { stdout } = await promisify(execFile)(join(REPO_ROOT, "node_modules/.bin/dclint"), args, {
      cwd: REPO_ROOT,
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** compose.yaml with `from` (which must be there) replaced by `to`, written to the stage. */
let variants = 0;
function variant(from: string, to: string): string {
  expect(COMPOSE).toContain(from);
  variants += 1;
  const file = join(stage, `variant-${variants}.yaml`);
  writeFileSync(file, COMPOSE.replace(from, to));
  return file;
}

describe("compose.yaml", () => {
  it("passes bin/test's dclint check", async () => {
    const result = await dclint("compose.yaml");
    expect(result.output).not.toMatch(/error|warning/);
    expect(result.code).toBe(0);
  });

  it.each([
    [
      "an unpinned image",
      "axllent/mailpit:v1.30.5",
      "axllent/mailpit:latest",
      "service-image-require-explicit-tag",
    ],
    ["a port on every interface", '"127.0.0.1:6379:6379"', '"6379:6379"', "no-unbound-port-interfaces"],
    ["an image of ours compose would try to pull", "    pull_policy: build\n", "", "no-build-and-image"],
    [
      "a key the Compose Specification does not have",
      '    restart: "no"\n',
      '    restarts: "no"\n',
      "invalid-schema",
    ],
  ])("fails on %s", async (_what, from, to, reported) => {
    const result = await dclint(variant(from, to));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(reported);
  });

  it("names a release of every image it does not build", () => {
    const images = [...COMPOSE.matchAll(/^\s+image:\s*(\S+)/gm)].map((match) => match[1] as string);
    const foreign = images.filter((image) => !image.startsWith("fluxnotify/"));
    expect(foreign.length).toBeGreaterThanOrEqual(4);
    // A release, not a line: PostgreSQL numbers its releases major.minor (16.15), the rest x.y.z.
    for (const image of foreign) expect(image).toMatch(/:v?\d+\.\d+(\.\d+)?$/);
    for (const image of images.filter((image) => image.startsWith("fluxnotify/")))
      expect(image).toMatch(/:local$/);
  });
});
