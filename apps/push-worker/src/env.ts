import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { CHANNEL_DEFINITIONS } from "@fluxnotify/shared/channels";
import { deliveryWorkerEnv } from "@fluxnotify/shared/delivery";
import {
  baseEnv,
  databaseEnv,
  kafkaEnv,
  loadEnv,
  pushAllowListEnv,
  redisEnv,
  resolveVapidEnv,
  vapidEnv,
} from "@fluxnotify/shared/env";
import { ConfigError } from "@fluxnotify/shared/errors";
import { z } from "zod";
import type { ServiceAccountKey } from "./fcm-token";
import type { FcmConfig } from "./strategy";

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(1_000, "must be at most 1,000 characters");

export const envShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...redisEnv,
  ...databaseEnv,
  ...pushAllowListEnv,
  ...vapidEnv,
  ...deliveryWorkerEnv(CHANNEL_DEFINITIONS.PUSH),
  /** How long a push service keeps an undelivered message (RFC 8030 TTL); 28 days is FCM's maximum. */
  PUSH_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(28 * 24 * 3600)
    .default(86_400),
  PUSH_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** The page a notification opens (`?notificationId=` is appended); none when unset. */
  PUSH_OPEN_URL: optional(httpUrl),
  FCM_PROJECT_ID: optional(z.string().regex(/^[a-z0-9-]{1,64}$/, "must be a Firebase project id")),
  /** The service account's key: the JSON itself, or the path of its file. */
  FCM_SERVICE_ACCOUNT: optional(z.string()),
  FCM_BASE_URL: httpUrl.default("https://fcm.googleapis.com"),
};

const serviceAccountShape = z.object({
  client_email: z.string().regex(/^[^@\s]+@[^@\s]+$/, "client_email must be an email address"),
  private_key: z.string().includes("PRIVATE KEY", { error: "private_key must be a PEM private key" }),
  token_uri: httpUrl,
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
});

type Parsed = z.infer<z.ZodObject<typeof envShape>>;

/**
 * FCM_SERVICE_ACCOUNT as a key, or the problems with it. No message quotes the value: it
 * holds a private key.
 */
function serviceAccountFrom(value: string, readFile: (path: string) => string): ServiceAccountKey | string[] {
  let text = value.trim();
  if (!text.startsWith("{")) {
    try {
      text = readFile(text);
    } catch (error) {
      return [
        `FCM_SERVICE_ACCOUNT: cannot read the file ${text} (${(error as { code?: string }).code ?? "error"})`,
      ];
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [
      "FCM_SERVICE_ACCOUNT: not valid JSON (expected a service-account key file's contents or its path)",
    ];
  }
  const parsed = serviceAccountShape.safeParse(json);
  if (!parsed.success) return parsed.error.issues.map((issue) => `FCM_SERVICE_ACCOUNT: ${issue.message}`);
  try {
    createPrivateKey(parsed.data.private_key);
  } catch {
    return ["FCM_SERVICE_ACCOUNT: private_key is not a readable PEM private key"];
  }
  return parsed.data;
}

function resolveFcm(env: Parsed, readFile: (path: string) => string): FcmConfig | undefined | string[] {
  if (!env.FCM_SERVICE_ACCOUNT) {
    return env.FCM_PROJECT_ID
      ? ["FCM_SERVICE_ACCOUNT: required when FCM_PROJECT_ID is set (not set)"]
      : undefined;
  }
  const account = serviceAccountFrom(env.FCM_SERVICE_ACCOUNT, readFile);
  if (Array.isArray(account)) return account;
  const problems: string[] = [];
  const projectId = env.FCM_PROJECT_ID ?? account.project_id;
  if (!projectId) problems.push("FCM_PROJECT_ID: required (the service account names no project_id)");
  if (env.NODE_ENV === "production") {
    if (!env.FCM_BASE_URL.startsWith("https:")) problems.push("FCM_BASE_URL: must use https in production");
    if (!account.token_uri.startsWith("https:"))
      problems.push("FCM_SERVICE_ACCOUNT: token_uri must use https in production");
  }
  return problems.length > 0 || !projectId ? problems : { projectId, baseUrl: env.FCM_BASE_URL, account };
}

export type Env = ReturnType<typeof loadWorkerEnv>;

/**
 * The push worker's configuration: the shared pieces, VAPID resolved (dev-only pair outside
 * production, flagged as `vapid.usingDevKeys`) and FCM (undefined when not configured).
 * Every problem is reported in one ConfigError.
 */
export function loadWorkerEnv(
  source: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
) {
  const env = loadEnv(envShape, source);
  const problems: string[] = [];
  let vapid: ReturnType<typeof resolveVapidEnv> | undefined;
  try {
    vapid = resolveVapidEnv(env, { privateKey: true });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(
      ...error.message
        .split("\n")
        .slice(1)
        .map((line) => line.replace(/^\s*-\s*/, "")),
    );
  }
  const fcm = resolveFcm(env, readFile);
  if (Array.isArray(fcm)) problems.push(...fcm);
  if (problems.length > 0 || !vapid?.privateKey || Array.isArray(fcm))
    throw new ConfigError(`invalid configuration:\n${problems.map((line) => `  - ${line}`).join("\n")}`);
  return {
    ...env,
    vapid: { ...vapid, privateKey: vapid.privateKey },
    fcm,
  };
}
