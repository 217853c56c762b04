import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";

/**
 * Everything a page did that it should not have: console errors and warnings, uncaught
 * errors, failed requests, CSP violations (reported by the page itself), and any request
 * to another origin (the console may load and call nothing but its own).
 */
export async function watchPage(page: Page, origin: string): Promise<string[]> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    // A download or a navigation the test itself abandons is not the page's failure.
    if (request.failure()?.errorText !== "net::ERR_ABORTED")
      problems.push(`request failed: ${request.url()}`);
  });
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:") && !url.startsWith("blob:"))
      problems.push(`request to another origin: ${url}`);
  });
  // Strings, not functions: they run in the page, which this package's (DOM-less) types do not describe.
  await page.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) =>
        window.cspViolations.push(event.violatedDirective + " " + event.blockedURI));`,
  });
  return problems;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return (await page.evaluate("window.cspViolations")) as string[];
}

/** Full-page screenshots, kept as the run's artifacts (e2e/artifacts/<suite>/, gitignored). */
export function screenshotter(dir: string) {
  mkdirSync(dir, { recursive: true });
  const taken: string[] = [];
  return {
    taken,
    async shot(page: Page, name: string) {
      const path = join(dir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      taken.push(path);
    },
  };
}
