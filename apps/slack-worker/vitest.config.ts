import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "slack-worker",
    include: ["test/**/*.test.ts"],
    // The channel workers use no database, so only the broker/Redis setup runs.
    globalSetup: ["../../packages/shared/src/testing/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
