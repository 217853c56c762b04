import { createECDH } from "node:crypto";
import { DEV_ONLY_VAPID_KEYS } from "@fluxnotify/shared/env";
import { describe, expect, it } from "vitest";
import { DEV_ONLY_JWT_SECRET, loadQueryApiEnv } from "../src/env";

const PRODUCTION_VAPID_KEY = (() => {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return ecdh.getPublicKey().toString("base64url");
})();

describe("configuration", () => {
  it("falls back to the dev-only secret outside production only", () => {
    const dev = loadQueryApiEnv({ NODE_ENV: "development" });
    expect(dev.AUTH_JWT_SECRET).toBe(DEV_ONLY_JWT_SECRET);
    expect(dev.usingDevJwtSecret).toBe(true);
    expect(dev.PORT).toBe(8080);
    expect(dev.PROJECTION_GROUP_ID).toBe("notif-query-projection");
    expect(() => loadQueryApiEnv({ NODE_ENV: "production", VAPID_PUBLIC_KEY: PRODUCTION_VAPID_KEY })).toThrow(
      /AUTH_JWT_SECRET or AUTH_JWKS_URL/,
    );
    expect(() => loadQueryApiEnv({ NODE_ENV: "production", AUTH_JWT_SECRET: DEV_ONLY_JWT_SECRET })).toThrow(
      /dev-only/,
    );
    const prod = loadQueryApiEnv({
      NODE_ENV: "production",
      AUTH_JWKS_URL: "https://idp.example.com/jwks.json",
      VAPID_PUBLIC_KEY: PRODUCTION_VAPID_KEY,
    });
    expect(prod.AUTH_JWT_SECRET).toBeUndefined();
  });

  it("publishes the dev-only VAPID key outside production only; production names every missing key at once", () => {
    const dev = loadQueryApiEnv({ NODE_ENV: "development" });
    expect(dev.vapid).toMatchObject({ publicKey: DEV_ONLY_VAPID_KEYS.publicKey, usingDevKeys: true });
    expect(dev.PUSH_MAX_TARGETS_PER_USER).toBe(20);
    expect(dev.PUSH_ALLOWED_HOSTS).toContain("fcm.googleapis.com");
    expect(dev.PUSH_ALLOW_INSECURE_LOOPBACK).toBe(false);
    expect(() => loadQueryApiEnv({ NODE_ENV: "production" })).toThrow(
      /AUTH_JWT_SECRET or AUTH_JWKS_URL[\s\S]*VAPID_PUBLIC_KEY: required in production/,
    );
    expect(() =>
      loadQueryApiEnv({
        NODE_ENV: "production",
        AUTH_JWT_SECRET: "a-production-secret-of-at-least-32-chars",
        VAPID_PUBLIC_KEY: DEV_ONLY_VAPID_KEYS.publicKey,
      }),
    ).toThrow(/VAPID_PUBLIC_KEY: the dev-only key pair is not allowed in production/);
    // query-api publishes the public key only: it neither needs nor asks for the private one.
    const prod = loadQueryApiEnv({
      NODE_ENV: "production",
      AUTH_JWT_SECRET: "a-production-secret-of-at-least-32-chars",
      VAPID_PUBLIC_KEY: PRODUCTION_VAPID_KEY,
      PUSH_MAX_TARGETS_PER_USER: "5",
    });
    expect(prod.vapid).toMatchObject({ publicKey: PRODUCTION_VAPID_KEY, usingDevKeys: false });
    expect(prod.PUSH_MAX_TARGETS_PER_USER).toBe(5);
    expect(() => loadQueryApiEnv({ VAPID_PUBLIC_KEY: "short", PUSH_MAX_TARGETS_PER_USER: "0" })).toThrow(
      /VAPID_PUBLIC_KEY[\s\S]*PUSH_MAX_TARGETS_PER_USER|PUSH_MAX_TARGETS_PER_USER[\s\S]*VAPID_PUBLIC_KEY/,
    );
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
