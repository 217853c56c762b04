import { insertDlqMessages } from "@fluxnotify/db/queries/dlq";
import { dbTest as test } from "@fluxnotify/db/testing";
import { testEnv } from "@fluxnotify/shared/testing";
import { fuzzOpenApi, type OpenApiDocument } from "@fluxnotify/shared/testing/openapi-fuzz";
import { describe, expect } from "vitest";
import { adminToken, operatorToken, sign, startDlqAdmin, unique } from "./harness";

describe("every endpoint of the OpenAPI document, property-based", () => {
  test("hostile and valid-ish parameters and bodies: never a 5xx, every 4xx a problem with a detail", async ({
    kafka,
    database,
    logger,
    registry,
  }) => {
    const tenant = unique("tenant-fuzz");
    const admin = await startDlqAdmin(
      { kafka, database, logger, registry },
      { topics: ["unused"], consume: false },
    );
    // Some of the fuzz tenant's own, so ids and filters also find rows.
    await insertDlqMessages(
      database.db,
      [1, 2, 3].map((n) => ({
        tenantId: tenant,
        domain: "payment",
        dlqTopic: unique("test.fuzz"),
        dlqPartition: 0,
        dlqOffset: BigInt(n),
        originalTopic: "notification.commands.email",
        errorMessage: "boom",
        failedAt: new Date(),
        headers: {},
      })),
    );
    const tenantAdmin = await adminToken(tenant);
    // Signed, so only its claims are wrong: a NUL the database could not compare with.
    const nulClaim = await sign({ sub: "fuzz", tenant: `${tenant}\u0000`, roles: ["admin"] });
    try {
      const doc = (await (await fetch(`${admin.base}/openapi.json`)).json()) as OpenApiDocument;
      const statuses = await fuzzOpenApi({
        base: admin.base,
        doc,
        readTokens: [
          tenantAdmin,
          await operatorToken(),
          await sign({ sub: "u", tenant, roles: [] }),
          nulClaim,
        ],
        // Retry and discard act only on the test's own tenant: other tests' dead letters stay as they are.
        writeTokens: [tenantAdmin],
        numRuns: testEnv().TEST_FUZZ_RUNS,
      });
      // The run reached the handlers (lists, and ids looked up), not only the validation.
      expect((statuses.get(200) ?? 0) + (statuses.get(404) ?? 0)).toBeGreaterThan(0);
      expect(statuses.get(400)).toBeGreaterThan(0);
    } finally {
      await admin.stop();
    }
  });
});
