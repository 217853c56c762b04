import { dbTest as test } from "@fluxnotify/db/testing";
import { testEnv } from "@fluxnotify/shared/testing";
import { fuzzOpenApi, type OpenApiDocument } from "@fluxnotify/shared/testing/openapi-fuzz";
import { describe, expect } from "vitest";
import { sign, startApi } from "./api-harness";
import { uniqueTenant } from "./helpers";

describe("every endpoint of the OpenAPI document, property-based", () => {
  test("hostile and valid-ish parameters and bodies: never a 5xx, every 4xx a problem with a detail", async ({
    database,
    logger,
    registry,
  }) => {
    const tenant = uniqueTenant("fuzz");
    const user = await sign({ sub: "fuzz-user", tenant, roles: [] });
    const admin = await sign({ sub: "fuzz-admin", tenant, roles: ["admin"] });
    const operator = await sign({ sub: "fuzz-staff", tenant: uniqueTenant("ops"), roles: ["operator"] });
    // Signed, so only its claims are wrong: a NUL the database could not compare with.
    const nulClaim = await sign({ sub: "fuzz\u0000", tenant, roles: ["admin"] });
    const api = await startApi({ database, logger, registry });
    try {
      const doc = (await api.call("GET", "/openapi.json")).body as unknown as OpenApiDocument;
      const statuses = await fuzzOpenApi({
        base: api.base,
        doc,
        readTokens: [user, admin, operator, nulClaim],
        // PUT settings changes only the caller's own settings, in the test's own tenant.
        writeTokens: [user, admin, nulClaim],
        numRuns: testEnv().TEST_FUZZ_RUNS,
      });
      // The run reached the handlers, not only the validation in front of them.
      expect(statuses.get(200)).toBeGreaterThan(0);
      expect(statuses.get(400)).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
});
