import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "inapp-worker",
    include: ["test/**/*.test.ts"],
    // The broker/Redis setup, and the migrated test database (the inbox).
    globalSetup: [
      "../../packages/shared/src/testing/global-setup.ts",
      "../../packages/db/src/testing/global-setup.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
