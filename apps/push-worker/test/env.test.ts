import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_ONLY_VAPID_KEYS } from "@fluxnotify/shared/env";
import { startFcmService } from "@fluxnotify/shared/testing/push";
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadWorkerEnv } from "../src/env";

const keys = generateVapidKeys();
const productionVapid = {
  NODE_ENV: "production",
  VAPID_PUBLIC_KEY: keys.publicKey,
  VAPID_PRIVATE_KEY: keys.privateKey,
  VAPID_SUBJECT: "mailto:ops@fluxnotify.example",
};
const configError = (source: NodeJS.ProcessEnv) => {
  try {
    loadWorkerEnv(source);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a configuration error");
};

test("defaults fit a local run: the push topic and group, port 9105, TTL 86400 s, dev VAPID pair flagged, no FCM", () => {
  const env = loadWorkerEnv({});
  expect(env).toMatchObject({
    COMMAND_TOPIC: "notification.commands.push",
    CONSUMER_GROUP: "notif-push",
    HEALTH_PORT: 9105,
    PUSH_TTL_SECONDS: 86_400,
    PUSH_TIMEOUT_MS: 5_000,
    FCM_BASE_URL: "https://fcm.googleapis.com",
    PUSH_ALLOW_INSECURE_LOOPBACK: false,
    DATABASE_URL: "postgres://postgres@127.0.0.1:5432/fluxnotify",
  });
  expect(env.PUSH_ALLOWED_HOSTS).toContain("updates.push.services.mozilla.com");
  expect(env.vapid).toEqual({
    ...DEV_ONLY_VAPID_KEYS,
    subject: "mailto:dev@fluxnotify.invalid",
    usingDevKeys: true,
  });
  expect(env.fcm).toBeUndefined();
  expect(env.PUSH_OPEN_URL).toBeUndefined();
});

test("production refuses missing VAPID keys and the dev-only pair, naming each variable", () => {
  expect(configError({ NODE_ENV: "production" }).message).toBe(
    [
      "invalid configuration:",
      "  - VAPID_PUBLIC_KEY: required in production (not set)",
      "  - VAPID_PRIVATE_KEY: required in production (not set)",
      "  - VAPID_SUBJECT: required in production (not set)",
    ].join("\n"),
  );
  const dev = configError({
    ...productionVapid,
    VAPID_PUBLIC_KEY: DEV_ONLY_VAPID_KEYS.publicKey,
    VAPID_PRIVATE_KEY: DEV_ONLY_VAPID_KEYS.privateKey,
  });
  expect(dev.message).toContain("VAPID_PUBLIC_KEY: the dev-only key pair is not allowed in production");
  expect(loadWorkerEnv(productionVapid).vapid).toEqual({
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    subject: "mailto:ops@fluxnotify.example",
    usingDevKeys: false,
  });
});

test("half a key pair, malformed keys and bad push settings are refused with clear messages", () => {
  expect(configError({ VAPID_PUBLIC_KEY: keys.publicKey }).message).toContain(
    "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither",
  );
  const malformed = configError({
    VAPID_PUBLIC_KEY: "not*base64",
    VAPID_PRIVATE_KEY: "AAAA",
    PUSH_TTL_SECONDS: "-1",
    PUSH_OPEN_URL: "ftp://x",
  });
  expect(malformed.message).toMatch(/VAPID_PUBLIC_KEY: must be base64url/);
  expect(malformed.message).toMatch(/VAPID_PRIVATE_KEY: must decode to 32 bytes/);
  expect(malformed.message).toMatch(/PUSH_TTL_SECONDS:/);
  expect(malformed.message).toMatch(/PUSH_OPEN_URL: must be an http\(s\) URL/);
  expect(loadWorkerEnv({ PUSH_OPEN_URL: "https://app.example.com/notifications" }).PUSH_OPEN_URL).toBe(
    "https://app.example.com/notifications",
  );
});

describe("FCM_SERVICE_ACCOUNT", () => {
  let dir = "";
  let account: Record<string, string> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "push-env-"));
    const fcm = await startFcmService({ projectId: "from-account" });
    account = { ...fcm.serviceAccount() };
    await fcm.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is the JSON itself or a path to it; the project comes from the account unless FCM_PROJECT_ID says", () => {
    const path = join(dir, "account.json");
    writeFileSync(path, JSON.stringify(account));
    const inline = loadWorkerEnv({ FCM_SERVICE_ACCOUNT: JSON.stringify(account) }).fcm;
    expect(inline).toMatchObject({ projectId: "from-account", baseUrl: "https://fcm.googleapis.com" });
    expect(inline?.account.client_email).toBe(account.client_email);
    const fromFile = loadWorkerEnv({ FCM_SERVICE_ACCOUNT: path, FCM_PROJECT_ID: "other-project" }).fcm;
    expect(fromFile).toMatchObject({ projectId: "other-project" });
    expect(fromFile?.account.private_key).toBe(account.private_key);
  });

  test("problems are named without quoting the key", () => {
    const secretish = `{"private_key": "${account.private_key?.slice(40, 80)}", broken`;
    const broken = configError({ FCM_SERVICE_ACCOUNT: secretish });
    expect(broken.message).toContain("FCM_SERVICE_ACCOUNT: not valid JSON");
    expect(broken.message).not.toContain(account.private_key?.slice(40, 80));
    expect(configError({ FCM_SERVICE_ACCOUNT: join(dir, "missing.json") }).message).toContain(
      `FCM_SERVICE_ACCOUNT: cannot read the file ${join(dir, "missing.json")} (ENOENT)`,
    );
    const noKey = configError({
      FCM_SERVICE_ACCOUNT: JSON.stringify({
        ...account,
        private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
      }),
    });
    expect(noKey.message).toContain("FCM_SERVICE_ACCOUNT: private_key is not a readable PEM private key");
    expect(configError({ FCM_PROJECT_ID: "p" }).message).toContain(
      "FCM_SERVICE_ACCOUNT: required when FCM_PROJECT_ID is set (not set)",
    );
    const { project_id: _, ...withoutProject } = account;
    expect(configError({ FCM_SERVICE_ACCOUNT: JSON.stringify(withoutProject) }).message).toContain(
      "FCM_PROJECT_ID: required (the service account names no project_id)",
    );
  });

  test("production needs https for FCM and its token URI; problems of VAPID and FCM come in one message", () => {
    const error = configError({
      NODE_ENV: "production",
      FCM_SERVICE_ACCOUNT: JSON.stringify(account), // token_uri is the stand-in's http://127.0.0.1
      FCM_BASE_URL: "http://127.0.0.1:1",
    });
    expect(error.message).toContain("VAPID_PUBLIC_KEY: required in production (not set)");
    expect(error.message).toContain("FCM_BASE_URL: must use https in production");
    expect(error.message).toContain("FCM_SERVICE_ACCOUNT: token_uri must use https in production");
  });
});
