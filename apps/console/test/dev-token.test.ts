import { devTokenSigner, readToken } from "@fluxnotify/shared/dev-token";
import { DEV_ONLY_JWT_SECRET } from "@fluxnotify/shared/env";
import { createTokenVerifier } from "@fluxnotify/shared/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleUnderTest, startConsole, startUpstream, type Upstream, webFixture } from "./harness";

const signIn = (base: string, body: unknown, type = "application/json") =>
  fetch(`${base}/console/dev-token`, {
    method: "POST",
    headers: { "content-type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/**
 * The development sign-in: tokens the APIs accept (the same signer as bin/token), short-lived,
 * for admin or operator only, a JSON body only; and in production no such endpoint at all.
 */
describe("POST /console/dev-token", () => {
  const web = webFixture();
  let upstream: Upstream;
  let development: ConsoleUnderTest;
  let production: ConsoleUnderTest;

  beforeAll(async () => {
    upstream = await startUpstream("api");
    // As index.ts composes it: a signer outside production, none in production.
    development = await startConsole({
      queryApi: upstream.url,
      dlqAdmin: upstream.url,
      webDir: web.dir,
      devTokens: devTokenSigner({ NODE_ENV: "development" }),
    });
    production = await startConsole({ queryApi: upstream.url, dlqAdmin: upstream.url, webDir: web.dir });
  });
  afterAll(async () => {
    await Promise.all([development.close(), production.close()]);
    await upstream.close();
    web.remove();
  });

  it("signs a one-hour token the APIs verify, with the chosen tenant, user and role", async () => {
    const response = await signIn(development.base, { tenant: "tenant-a", userId: "ops", role: "operator" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { token } = (await response.json()) as { token: string };
    const principal = await createTokenVerifier({ jwtSecret: DEV_ONLY_JWT_SECRET })(token);
    expect(principal).toEqual({ userId: "ops", tenantId: "tenant-a", roles: ["operator"] });
    const lifetime = (readToken(token).expiresAt?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(59 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000);
    expect(development.logs.lines.join("\n")).not.toContain(token.split(".")[2]);
  });

  it("signs with AUTH_JWT_SECRET where the platform has one", async () => {
    const secret = "a-real-secret-of-at-least-32-characters!";
    const signer = devTokenSigner({ NODE_ENV: "development", AUTH_JWT_SECRET: secret });
    const own = await startConsole({
      queryApi: upstream.url,
      dlqAdmin: upstream.url,
      webDir: web.dir,
      devTokens: signer,
    });
    try {
      const { token } = (await (
        await signIn(own.base, { tenant: "t", userId: "u", role: "admin" })
      ).json()) as {
        token: string;
      };
      await expect(createTokenVerifier({ jwtSecret: secret })(token)).resolves.toMatchObject({
        roles: ["admin"],
      });
      await expect(createTokenVerifier({ jwtSecret: DEV_ONLY_JWT_SECRET })(token)).rejects.toThrow();
    } finally {
      await own.close();
    }
  });

  it.each([
    [{ tenant: "t", userId: "u", role: "user" }, "role"],
    [{ tenant: "t", userId: "u" }, "role"],
    [{ tenant: "", userId: "u", role: "admin" }, "tenant"],
    [{ tenant: "t", userId: "u\u0000", role: "admin" }, "userId"],
    [{ tenant: "t", userId: "u", role: "admin", roles: ["operator"] }, "(body)"],
  ])("refuses %j naming %s", async (body, field) => {
    const response = await signIn(development.base, body);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: Array<{ field: string }> };
    expect(problem.errors.map((error) => error.field)).toContain(field);
  });

  it("takes JSON only: a form or text body (what another site's page could send) is a 415", async () => {
    const form = await signIn(
      development.base,
      "tenant=t&userId=u&role=operator",
      "application/x-www-form-urlencoded",
    );
    expect(form.status).toBe(415);
    const text = await signIn(
      development.base,
      '{"tenant":"t","userId":"u","role":"operator"}',
      "text/plain",
    );
    expect(text.status).toBe(415);
    const broken = await signIn(development.base, "{", "application/json");
    expect(broken.status).toBe(400);
    // No CORS: no other origin is told it may read the answer.
    const preflight = await fetch(`${development.base}/console/dev-token`, {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("does not exist in production (404), and the SPA is told not to offer it", async () => {
    const response = await signIn(production.base, { tenant: "t", userId: "u", role: "operator" });
    expect(response.status).toBe(404);
    expect(await (await fetch(`${production.base}/console/config`)).json()).toEqual({ devSignIn: false });
    expect(await (await fetch(`${development.base}/console/config`)).json()).toEqual({ devSignIn: true });
    expect(() => devTokenSigner({ NODE_ENV: "production", AUTH_JWT_SECRET: "x".repeat(40) })).toThrow(
      /production/,
    );
  });
});
