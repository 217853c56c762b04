import { defineConfig } from "vitest/config";

// One vitest run over every package and app; each project brings its own global setup
// (real broker, migrated test database) and runs its files in parallel workers.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    maxWorkers: 2,
  },
});
