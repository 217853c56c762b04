import { defineConfig } from "vitest/config";

// Run on its own, after the unit and integration projects (bin/test): the global setup
// starts a private broker and the six apps as OS processes, which the files then share.
export default defineConfig({
  test: {
    name: "e2e",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["./src/global-setup.ts"],
    // The files wait on deliveries far more than they compute: two run side by side.
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
