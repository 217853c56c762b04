import { testEnv } from "@fluxnotify/shared/testing/env";
import type { TestProject } from "vitest/node";
import "./provided";
import { runMigrations } from "../migrate";

/** Creates the test database if missing and applies every migration, once per project. */
export default async function setup(project: TestProject): Promise<void> {
  const url = testEnv().TEST_DATABASE_URL;
  await runMigrations(url);
  project.provide("databaseUrl", url);
}
