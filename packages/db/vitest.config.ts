import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "db",
    include: ["test/**/*.test.ts"],
    globalSetup: ["../shared/src/testing/global-setup.ts", "./src/testing/global-setup.ts"],
    testTimeout: 60_000,
  },
});
