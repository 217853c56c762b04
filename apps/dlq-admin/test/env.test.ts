import { describe, expect, it } from "vitest";
import { DEV_ONLY_JWT_SECRET, loadDlqAdminEnv } from "../src/env";

describe("loadDlqAdminEnv", () => {
  it("defaults to the four DLQ topics, the CONTRACT group and port 8081", () => {
    const env = loadDlqAdminEnv({});
    expect(env.DLQ_TOPICS).toEqual([
      "notification.dlq.payment",
      "notification.dlq.subscription",
      "notification.dlq.order",
      "notification.dlq.refund",
    ]);
    expect(env.CONSUMER_GROUP).toBe("notif-dlq-admin");
    expect(env.PORT).toBe(8081);
    expect(env.AUTH_JWT_SECRET).toBe(DEV_ONLY_JWT_SECRET);
  });

  it("requires real auth configuration in production and names bad variables", () => {
    expect(() => loadDlqAdminEnv({ NODE_ENV: "production" })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    expect(
      loadDlqAdminEnv({ NODE_ENV: "production", AUTH_JWKS_URL: "https://idp.example/jwks" }).AUTH_JWT_SECRET,
    ).toBe(undefined);
    expect(() => loadDlqAdminEnv({ AUTH_JWT_SECRET: "short", PORT: "x", DLQ_TOPICS: " , " })).toThrow(
      /AUTH_JWT_SECRET[\s\S]*PORT|PORT[\s\S]*AUTH_JWT_SECRET/,
    );
    expect(() => loadDlqAdminEnv({ DLQ_TOPICS: " , " })).toThrow(/DLQ_TOPICS/);
  });
});
