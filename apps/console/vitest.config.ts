import { defineProject } from "vitest/config";

// No broker or database: the server is tested against real HTTP upstreams it starts itself.
export default defineProject({
  test: {
    name: "console",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
