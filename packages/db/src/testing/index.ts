import { kafkaTest } from "@fluxnotify/shared/testing";
import "./provided";
import { inject } from "vitest";
import { createDbClient, type DbClient } from "../client";

/** kafkaTest plus a client for the migrated test database. */
export const dbTest = kafkaTest.extend<{ database: DbClient }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies by destructuring
  database: async ({}, use) => {
    const client = createDbClient(inject("databaseUrl"), { max: 4, applicationName: "test" });
    await use(client);
    await client.close();
  },
});

export { type ThrowawaySchema, throwawaySchema } from "./throwaway-schema";
