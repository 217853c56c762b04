import { execFile } from "node:child_process";
import { createECDH } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { p256PublicJwk } from "@fluxnotify/shared/testing/push";
import { importJWK, jwtVerify, SignJWT } from "jose";
import { expect, test } from "vitest";
import { loadWorkerEnv } from "../src/env";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

test("bin/vapid's pair belongs together and signs VAPID JWTs that verify with its public key", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "src/vapid-cli.ts"], {
    cwd: packageDir,
  });
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(2);
  const publicKey = /^VAPID_PUBLIC_KEY=([A-Za-z0-9_-]+)$/.exec(lines[0] ?? "")?.[1] ?? "";
  const privateKey = /^VAPID_PRIVATE_KEY=([A-Za-z0-9_-]+)$/.exec(lines[1] ?? "")?.[1] ?? "";
  expect(Buffer.from(publicKey, "base64url")).toHaveLength(65);
  expect(Buffer.from(privateKey, "base64url")).toHaveLength(32);
  // The public key is the private scalar's point.
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"));
  expect(ecdh.getPublicKey().toString("base64url")).toBe(publicKey);

  const jwk = p256PublicJwk(publicKey);
  const signingKey = await importJWK({ ...jwk, d: privateKey }, "ES256");
  const jwt = await new SignJWT({ sub: "mailto:ops@fluxnotify.example" })
    .setProtectedHeader({ alg: "ES256", typ: "JWT" })
    .setAudience("https://updates.push.services.mozilla.com")
    .setExpirationTime("12h")
    .sign(signingKey);
  const { payload } = await jwtVerify(jwt, await importJWK(jwk, "ES256"), {
    audience: "https://updates.push.services.mozilla.com",
  });
  expect(payload.sub).toBe("mailto:ops@fluxnotify.example");
  // And production takes it.
  expect(
    loadWorkerEnv({
      NODE_ENV: "production",
      VAPID_PUBLIC_KEY: publicKey,
      VAPID_PRIVATE_KEY: privateKey,
      VAPID_SUBJECT: "mailto:ops@fluxnotify.example",
    }).vapid.usingDevKeys,
  ).toBe(false);
  // Two runs, two pairs.
  const second = await run(process.execPath, ["--import", "tsx", "src/vapid-cli.ts"], { cwd: packageDir });
  expect(second.stdout).not.toBe(stdout);
});

test("bin/vapid refuses arguments it does not know", async () => {
  const failure = await run(process.execPath, ["--import", "tsx", "src/vapid-cli.ts", "--bits", "512"], {
    cwd: packageDir,
  }).catch((error: { code: number; stdout: string; stderr: string }) => error);
  expect(failure).toMatchObject({ code: 2, stdout: "" });
  expect((failure as { stderr: string }).stderr).toContain("unexpected argument --bits");
});
