import { describe, expect, it } from "vitest";
import { loadConsoleEnv } from "../src/env";

describe("loadConsoleEnv", () => {
  it("defaults to port 8082 and the local APIs (8080, 8081)", () => {
    const env = loadConsoleEnv({});
    expect(env.PORT).toBe(8082);
    expect(env.QUERY_API_URL.href).toBe("http://127.0.0.1:8080/");
    expect(env.DLQ_ADMIN_URL.href).toBe("http://127.0.0.1:8081/");
    expect(env.PROXY_TIMEOUT_MS).toBe(30_000);
    // Needs no key in production: it only forwards tokens, the APIs verify them.
    expect(loadConsoleEnv({ NODE_ENV: "production" }).AUTH_JWT_SECRET).toBeUndefined();
  });

  it("keeps an upstream's path prefix and refuses URLs it cannot proxy to", () => {
    expect(loadConsoleEnv({ QUERY_API_URL: "https://api.example/query/" }).QUERY_API_URL.href).toBe(
      "https://api.example/query",
    );
    for (const bad of ["ftp://x", "not a url", "http://u:p@host", "http://host/?a=1"])
      expect(() => loadConsoleEnv({ DLQ_ADMIN_URL: bad }), bad).toThrow(/DLQ_ADMIN_URL/);
    expect(() => loadConsoleEnv({ PORT: "x", PROXY_TIMEOUT_MS: "0" })).toThrow(/PORT[\s\S]*PROXY_TIMEOUT_MS/);
  });
});
