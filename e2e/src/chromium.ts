import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { e2eEnv } from "./env";

/** The machine's Chromium, as the query-api browser test runs it: never a downloaded browser. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export async function launchChromium(): Promise<Browser> {
  const path = e2eEnv().CHROMIUM_PATH;
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: apt-get install -y chromium fonts-noto-cjk (bin/test does), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: path, args: ARGS, timeout: 30_000 });
}
