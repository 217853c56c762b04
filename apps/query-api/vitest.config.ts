import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "query-api",
    include: ["test/**/*.test.ts"],
    globalSetup: [
      "../../packages/shared/src/testing/global-setup.ts",
      "../../packages/db/src/testing/global-setup.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
