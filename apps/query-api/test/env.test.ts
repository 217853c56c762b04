import { describe, expect, it } from "vitest";
import { DEV_ONLY_JWT_SECRET, loadQueryApiEnv } from "../src/env";

describe("configuration", () => {
  it("falls back to the dev-only secret outside production only", () => {
    const dev = loadQueryApiEnv({ NODE_ENV: "development" });
    expect(dev.AUTH_JWT_SECRET).toBe(DEV_ONLY_JWT_SECRET);
    expect(dev.usingDevJwtSecret).toBe(true);
    expect(dev.PORT).toBe(8080);
    expect(dev.PROJECTION_GROUP_ID).toBe("notif-query-projection");
    expect(() => loadQueryApiEnv({ NODE_ENV: "production" })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    expect(() => loadQueryApiEnv({ NODE_ENV: "production", AUTH_JWT_SECRET: DEV_ONLY_JWT_SECRET })).toThrow(
      /dev-only/,
    );
    const prod = loadQueryApiEnv({
      NODE_ENV: "production",
      AUTH_JWKS_URL: "https://idp.example.com/jwks.json",
    });
    expect(prod.AUTH_JWT_SECRET).toBeUndefined();
  });

  it("names every bad variable", () => {
    expect(() =>
      loadQueryApiEnv({ AUTH_JWT_SECRET: "short", DEFAULT_TENANT_TIME_ZONE: "Mars/Base", PORT: "http" }),
    ).toThrow(/AUTH_JWT_SECRET[\s\S]*PORT|PORT[\s\S]*AUTH_JWT_SECRET/);
    expect(() => loadQueryApiEnv({ DEFAULT_TENANT_TIME_ZONE: "Mars/Base" })).toThrow(
      /DEFAULT_TENANT_TIME_ZONE/,
    );
  });
});
