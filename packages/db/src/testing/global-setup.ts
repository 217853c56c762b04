import { testEnv } from "@fluxnotify/shared/testing";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** Creates the test database if missing and applies every migration, once per project. */
export default async function setup(project: TestProject): Promise<void> {
  const url = testEnv().TEST_DATABASE_URL;
  await runMigrations(url);
  project.provide("databaseUrl", url);
}
