import { describe, expect, it } from "vitest";
import {
  devTokenSigner,
  parseTokenArgs,
  readToken,
  signToken,
  TokenSigningRefused,
  tokenSigningEnv,
  UsageError,
} from "../src/dev-token/index";
import { DEV_ONLY_JWT_SECRET, loadEnv } from "../src/env";
import { authOptionsFrom, createTokenVerifier } from "../src/http/auth";
import { HttpProblem } from "../src/http/problem";

const args = (line: string) => line.split(" ").filter(Boolean);
const usageOf = (argv: string[]) => {
  try {
    parseTokenArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${argv.join(" ")}`);
};

describe("bin/token arguments", () => {
  it("takes a user, a tenant, roles and a lifetime", () => {
    expect(parseTokenArgs(args("--user user-1 --tenant tenant-a"))).toEqual({
      userId: "user-1",
      tenantId: "tenant-a",
      roles: undefined,
      ttl: undefined,
    });
    expect(
      parseTokenArgs(args("--user ops --tenant t --role admin --role operator --ttl 15m")),
    ).toMatchObject({
      roles: ["admin", "operator"],
      ttl: "15m",
    });
    expect(parseTokenArgs(["--help"])).toBe("help");
  });

  it("names the flag of every value it refuses", () => {
    expect(usageOf(args("--tenant tenant-a"))).toBe("--user: is required");
    expect(usageOf(["--user", "", "--tenant", "t"])).toBe("--user: must not be empty");
    expect(usageOf(["--user", "a\u0000b", "--tenant", "t"])).toBe("--user: must not contain U+0000 (NUL)");
    expect(usageOf(["--user", "u", "--tenant", "x".repeat(257)])).toBe(
      "--tenant: must be at most 256 characters",
    );
    expect(usageOf(args("--user u --tenant t --role admin --role root"))).toBe(
      '--role "root": must be one of admin, operator',
    );
    for (const ttl of ["0h", "1y", "1.5h", "-1h", "h", "31d"])
      expect(usageOf(args(`--user u --tenant t --ttl=${ttl}`))).toMatch(/^--ttl: /);
    expect(usageOf(args("--user u --tenant t --admin"))).toMatch(/Unknown option '--admin'/);
    expect(usageOf(args("--user u --tenant t extra"))).toMatch(/positional/i);
    // Every problem at once, so one round trip fixes the command line.
    expect(usageOf(args("--role boss")).split("\n")).toHaveLength(3);
    // 256 characters is the verifier's limit too: the longest id it takes is accepted here.
    expect(parseTokenArgs(["--user", "u".repeat(256), "--tenant", "t"])).toMatchObject({
      userId: "u".repeat(256),
    });
  });
});

describe("development tokens", () => {
  const env = (vars: Record<string, string> = {}) => loadEnv(tokenSigningEnv, vars);

  it("are accepted by the platform's verifier, configured as the apps configure it", async () => {
    // No AUTH_* at all: the apps fall back to the dev-only secret, and so does the signer.
    const signer = devTokenSigner(env());
    expect(signer.keySource).toBe("the dev-only secret");
    const verify = createTokenVerifier({ jwtSecret: DEV_ONLY_JWT_SECRET });
    const token = await signer.sign({ userId: "user-1", tenantId: "tenant-a", roles: ["admin"] });
    expect(await verify(token)).toEqual({ userId: "user-1", tenantId: "tenant-a", roles: ["admin"] });
    expect(await verify(await signer.sign({ userId: "u", tenantId: "t" }))).toEqual({
      userId: "u",
      tenantId: "t",
      roles: [],
    });
  });

  it("use AUTH_JWT_SECRET, AUTH_ISSUER and AUTH_AUDIENCE where they are set", async () => {
    const vars = {
      AUTH_JWT_SECRET: "a-local-secret-of-at-least-32-characters",
      AUTH_ISSUER: "https://id.example",
      AUTH_AUDIENCE: "fluxnotify",
    };
    const signer = devTokenSigner(env(vars));
    expect(signer.keySource).toBe("AUTH_JWT_SECRET");
    const token = await signer.sign({ userId: "ops", tenantId: "platform", roles: ["operator"] });
    const verify = createTokenVerifier(authOptionsFrom(vars));
    expect(await verify(token)).toEqual({ userId: "ops", tenantId: "platform", roles: ["operator"] });
    // …and not with the dev-only secret, which the apps no longer accept here.
    await expect(createTokenVerifier({ jwtSecret: DEV_ONLY_JWT_SECRET })(token)).rejects.toBeInstanceOf(
      HttpProblem,
    );
  });

  it("expire after their lifetime", async () => {
    const now = new Date("2026-02-04T10:00:00Z");
    const token = await signToken(DEV_ONLY_JWT_SECRET, { userId: "u", tenantId: "t", ttl: "90s" }, { now });
    expect(readToken(token)).toEqual({
      userId: "u",
      tenantId: "t",
      roles: [],
      expiresAt: new Date("2026-02-04T10:01:30Z"),
    });
    const oneHour = await signToken(DEV_ONLY_JWT_SECRET, { userId: "u", tenantId: "t" }, { now });
    expect(readToken(oneHour).expiresAt).toEqual(new Date("2026-02-04T11:00:00Z"));
    await expect(createTokenVerifier({ jwtSecret: DEV_ONLY_JWT_SECRET })(token)).rejects.toThrow(/expired/);
  });

  it("are refused with production settings", () => {
    const refusal = (vars: Record<string, string>) => {
      try {
        devTokenSigner(env(vars));
      } catch (error) {
        expect(error).toBeInstanceOf(TokenSigningRefused);
        return (error as Error).message;
      }
      throw new Error("signed");
    };
    expect(refusal({ NODE_ENV: "production" })).toMatch(/NODE_ENV=production/);
    // Even with a secret: production tokens come from the identity provider.
    expect(
      refusal({ NODE_ENV: "production", AUTH_JWT_SECRET: "a-production-secret-of-32-characters!" }),
    ).toMatch(/NODE_ENV=production/);
    // Only a JWKS: the apps would refuse an HS256 token with 401.
    expect(refusal({ AUTH_JWKS_URL: "https://id.example/.well-known/jwks.json" })).toMatch(/AUTH_JWKS_URL/);
  });

  it("are signed only from a valid request", async () => {
    await expect(signToken(DEV_ONLY_JWT_SECRET, { userId: "", tenantId: "t" })).rejects.toThrow();
    await expect(
      // @ts-expect-error: not a role the APIs know
      signToken(DEV_ONLY_JWT_SECRET, { userId: "u", tenantId: "t", roles: ["root"] }),
    ).rejects.toThrow();
  });
});
