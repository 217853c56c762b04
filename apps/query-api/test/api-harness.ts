import type { DbClient } from "@fluxnotify/db";
import { consumerGroupTopology } from "@fluxnotify/shared/contracts";
import { DEV_ONLY_VAPID_KEYS, pushAllowListEnv } from "@fluxnotify/shared/env";
import { listen, type ServerTimeouts } from "@fluxnotify/shared/http";
import { createAdmin } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import { createRedis, pingRedis } from "@fluxnotify/shared/redis";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { SignJWT, UnsecuredJWT } from "jose";
import { inject } from "vitest";
import { createQueryApi } from "../src/http/app";
import type { PushApiConfig } from "../src/http/push-subscriptions";
import { createInbox, DEFAULT_INBOX_SETTINGS, type InboxSettings } from "../src/inbox/index";
import { createPipeline, type Pipeline, type PipelineOptions } from "../src/pipeline/index";

export const SECRET = "query-api-test-secret-at-least-32-bytes!";

export function sign(claims: Record<string, unknown>, options: { expiresIn?: string; key?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "5m")
    .sign(new TextEncoder().encode(options.key ?? SECRET));
}

export const unsigned = (claims: Record<string, unknown>) =>
  new UnsecuredJWT(claims).setExpirationTime("5m").encode();

export type PipelineOverrides = Partial<Omit<PipelineOptions, "redis" | "logger">>;

/** The real app on an ephemeral loopback port, with real PostgreSQL, Redis and broker. */
export async function startApi(
  deps: { database: DbClient; logger: Logger; registry: Registry },
  push: Partial<Omit<PushApiConfig, "sql">> = {},
  {
    allowedOrigins,
    pipeline: pipelineOverrides,
    ...inboxSettings
  }: Partial<InboxSettings> & { allowedOrigins?: string[]; pipeline?: PipelineOverrides } = {},
  timeouts?: ServerTimeouts,
) {
  const redis = createRedis(inject("redisUrl"), { logger: deps.logger, name: "query-api-test" });
  // The platform's groups on the test broker (the dashboards of a shared broker), unless a
  // test measures groups of its own.
  const pipeline: Pipeline = createPipeline({
    admin: createAdmin(
      { brokers: inject("kafkaBrokers"), clientId: "query-api-test-pipeline" },
      { retries: 1, connectTimeoutMs: 2_000, requestTimeoutMs: 3_000 },
    ),
    groups: consumerGroupTopology(),
    keyPrefix: "",
    ...pipelineOverrides,
    redis,
    logger: deps.logger,
  });
  const subscriber = createRedis(inject("redisUrl"), { logger: deps.logger, name: "query-api-test-streams" });
  const inbox = createInbox(
    {
      sql: deps.database.sql,
      redis,
      subscriber,
      logger: deps.logger,
      registry: deps.registry,
      channelPrefix: "",
    },
    { ...DEFAULT_INBOX_SETTINGS, ...inboxSettings },
  );
  const { app, health } = createQueryApi({
    db: deps.database.db,
    redis,
    logger: deps.logger,
    registry: deps.registry,
    auth: { jwtSecret: SECRET },
    checks: { database: () => deps.database.ping(), redis: () => pingRedis(redis) },
    slackPolicy: { allowedHosts: ["hooks.slack.com"], allowInsecureLoopback: false },
    push: {
      sql: deps.database.sql,
      policy: {
        allowedHosts: pushAllowListEnv.PUSH_ALLOWED_HOSTS.parse(undefined),
        allowInsecureLoopback: false,
      },
      vapidPublicKey: DEV_ONLY_VAPID_KEYS.publicKey,
      maxTargetsPerUser: 20,
      ...push,
    },
    inbox,
    pipeline,
    inboxAllowedOrigins: allowedOrigins ?? [],
    defaultTimeZone: "Asia/Seoul",
  });
  health.setStarted(true);
  // Streams are refused until the subscriber is connected (as /readyz says in production).
  if (subscriber.status !== "ready") await new Promise((resolve) => subscriber.once("ready", resolve));
  const server = await listen(app, 0, "127.0.0.1", timeouts);
  const base = `http://127.0.0.1:${server.port}`;
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };
  return {
    base,
    redis,
    subscriber,
    inbox,
    call,
    close: async () => {
      await inbox.hub.close();
      await server.close();
      await Promise.all([redis.quit(), subscriber.quit(), pipeline.close()]);
    },
  };
}

type OpenApiDoc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: object;
};

/** Validates a real response against the schema the OpenAPI document gives for it. */
export function responseValidator(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return (path: string, method: string, status: number, contentType: string, body: unknown): string[] => {
    const documented = doc.paths[path]?.[method]?.responses[String(status)];
    if (!documented) return [`${method} ${path} → ${status} is not documented`];
    const mediaType = contentType.split(";")[0]?.trim() ?? "";
    const schema = documented.content?.[mediaType]?.schema;
    if (!documented.content) return body === undefined || status >= 400 ? [] : ["undocumented body"];
    if (!schema) return [`${method} ${path} → ${status} has no ${mediaType} schema`];
    const validate = ajv.compile({ ...schema, components: doc.components });
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

/** The `field` of each validation error in a problem body. */
export const fieldsOf = (body: Record<string, unknown> | undefined) =>
  ((body?.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
