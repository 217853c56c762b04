import { join } from "node:path";
import { REPO_ROOT } from "@fluxnotify/platform/apps";
import { loadEnv } from "@fluxnotify/shared/env";
import { z } from "zod";

/** The e2e suite's own knobs; the resources themselves are reserved (docs: e2e/README.md). */
export const e2eEnv = () =>
  loadEnv({
    /** The apps' log level; their output goes to files in E2E_LOG_DIR. */
    E2E_LOG_LEVEL: z.string().default("info"),
    E2E_LOG_DIR: z.string().default(join(REPO_ROOT, ".local", "e2e", "logs")),
    /** Print every app line to the terminal as well. */
    E2E_VERBOSE: z.enum(["0", "1"]).default("0"),
    /** The browser of the browser tests (apt: chromium), as the query-api browser test's. */
    CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
  });
