import { createHash } from "node:crypto";
import { dbTest as test } from "@fluxnotify/db/testing";
import { DLQ_HEADERS, deadLetterHeaders } from "@fluxnotify/shared/contracts";
import { createDeadLetterWriter, createProducer } from "@fluxnotify/shared/kafka";
import { eventually } from "@fluxnotify/shared/testing";
import { expect } from "vitest";
import { adminToken, present, startDlqAdmin } from "./harness";

test("an oversized dead letter is stored in digest form; its original is fetched byte for byte; it is never replayed", async ({
  kafka,
  database,
  logger,
  registry,
}) => {
  const dlq = await kafka.createTopic("dlq-order");
  const originals = await kafka.createTopic("originals");
  const replayTo = await kafka.createTopic("replay-order");
  const admin = await startDlqAdmin(
    { kafka, database, logger, registry },
    { topics: [dlq], originalsTopic: originals, replayTargets: { "fluxpay.order.events": replayTo } },
  );
  const producer = createProducer({ connection: kafka.connection, logger, registry });
  try {
    const tenant = `t-${Date.now().toString(36)}`;
    // 1.5 MiB of JSON: over the broker's record limit as it is, so the writer substitutes its digest.
    const value = Buffer.from(JSON.stringify({ tenantid: tenant, pad: "ü".repeat(800_000) }));
    const writer = createDeadLetterWriter({ producer, logger, originalsTopic: originals });
    await writer.send([
      {
        topic: dlq,
        key: `${tenant}:o-1`,
        value,
        headers: deadLetterHeaders({
          errorMessage: "value is 1600015 bytes, over the 262144-byte limit",
          errorCode: "VALUE_TOO_LARGE",
          retryCount: 0,
          originalTopic: "fluxpay.order.events",
          originalPartition: 0,
          originalOffset: "7",
          tenantId: tenant,
        }),
      },
    ]);
    const sha256 = createHash("sha256").update(value).digest("hex");
    const listed = present(
      await eventually(async () => {
        const response = await admin.call("GET", `/api/v1/admin/dlq?tenant=${tenant}`);
        const body = (await response.json()) as { items: Array<{ id: string }> };
        return body.items[0];
      }),
    );
    const detail = (await (await admin.call("GET", `/api/v1/admin/dlq/${listed.id}`)).json()) as {
      headers: Record<string, string>;
    };
    expect(detail.headers).toMatchObject({
      [DLQ_HEADERS.valueReplaced]: "oversized",
      [DLQ_HEADERS.valueSha256]: sha256,
      [DLQ_HEADERS.errorCode]: "VALUE_TOO_LARGE",
    });

    // The original, exactly, once the originals consumer has kept it; for the tenant's admin too.
    const token = await adminToken(tenant);
    const fetched = present(
      await eventually(async () => {
        const response = await admin.call("GET", `/api/v1/admin/dlq/${listed.id}/original`, undefined, token);
        return response.status === 200 ? response : undefined;
      }),
    );
    expect(fetched.headers.get("content-type")).toBe("application/octet-stream");
    expect(fetched.headers.get(DLQ_HEADERS.valueSha256)).toBe(sha256);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(value)).toBe(true);
    const other = await adminToken("someone-else");
    expect(
      (await admin.call("GET", `/api/v1/admin/dlq/${listed.id}/original`, undefined, other)).status,
    ).toBe(404);

    // Nothing to replay but a digest: refused alone, left out (and counted) in bulk.
    const retry = await admin.call("POST", `/api/v1/admin/dlq/${listed.id}/retry`);
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { detail: string }).detail).toMatch(/digest of a value too large/);
    const bulk = await admin.call("POST", "/api/v1/admin/dlq/retry-all", { tenant });
    expect(await bulk.json()).toMatchObject({ replayed: 0, remaining: 0, unreplayable: 1 });
  } finally {
    await producer.close();
    await admin.stop();
  }
});
