import { dbTest as test, throwawaySchema } from "@fluxnotify/db/testing";
import { captureLogs, errorCodes, leaks, SENSITIVE } from "@fluxnotify/shared/testing";
import { describe, expect, inject } from "vitest";
import { sign, startDlqAdmin } from "./harness";

// An operator's id may be an address, the error filter is free text and so is a discard
// reason: each ends up bound in the query that fails.
const mention = encodeURIComponent(`${SENSITIVE.email} ${SENSITIVE.webhookUrl}`);
const REQUESTS: Array<[method: string, path: string]> = [
  ["GET", `/api/v1/admin/dlq?domain=payment&error=${encodeURIComponent(SENSITIVE.email)}`],
  ["POST", "/api/v1/admin/dlq/42/retry"],
  ["DELETE", `/api/v1/admin/dlq/42?reason=${mention}`],
];

describe("dlq-admin logs on database errors", () => {
  test("list, retry and discard log their database error with its SQLSTATE and none of the request's secrets", async ({
    kafka,
    registry,
  }) => {
    const schema = await throwawaySchema(inject("databaseUrl")); // no tables: 42P01 everywhere
    const logs = captureLogs("dlq-admin");
    const admin = await startDlqAdmin(
      { kafka, database: schema.client, logger: logs.logger, registry },
      { topics: ["unused"], consume: false },
    );
    const token = await sign({ sub: SENSITIVE.email, tenant: "platform", roles: ["admin"] });
    try {
      for (const [method, path] of REQUESTS) {
        const response = await admin.call(method, path, undefined, token);
        expect(response.status, `${method} ${path}`).toBe(500);
        expect(response.headers.get("content-type")).toContain("application/problem+json");
      }
    } finally {
      await admin.stop();
      await schema.drop();
    }
    expect(leaks(logs.lines.join(""), [token])).toEqual([]);
    const failures = logs.entries().filter((entry) => entry.msg === "unhandled request error");
    expect(failures).toHaveLength(REQUESTS.length);
    for (const failure of failures) {
      expect(errorCodes(failure)).toContain("42P01");
      expect(JSON.stringify(failure.err)).toMatch(/relation \\"[a-z_]+\\" does not exist/);
    }
  });
});
