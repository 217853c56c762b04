import type { Sql } from "@fluxnotify/db";
import {
  deletePushTarget,
  listPushTargets,
  type PushTarget,
  registerPushTarget,
} from "@fluxnotify/db/queries/push";
import { maskPushToken } from "@fluxnotify/shared/channels";
import { settingsCacheKey } from "@fluxnotify/shared/contracts";
import { type AllowListPolicy, ELLIPSIS } from "@fluxnotify/shared/delivery";
import { defineRoute, HttpProblem } from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Redis } from "@fluxnotify/shared/redis";
import { z } from "zod";
import { pushTargetBody } from "./push-target-body";

/** What the push-subscription API needs besides the database and Redis. */
export interface PushApiConfig {
  /** postgres.js, as the push queries (shared with the ingest and push workers) run on it. */
  sql: Sql;
  /** PUSH_ALLOWED_HOSTS and PUSH_ALLOW_INSECURE_LOOPBACK: the push worker's own policy. */
  policy: AllowListPolicy;
  /** VAPID_PUBLIC_KEY (or the dev-only one outside production), base64url. */
  vapidPublicKey: string;
  /** PUSH_MAX_TARGETS_PER_USER. */
  maxTargetsPerUser: number;
}

interface PushRouteDeps {
  redis: Redis;
  logger: Logger;
  push: PushApiConfig;
}

export const PUSH_SUBSCRIPTIONS_PATH = "/api/v1/notifications/push-subscriptions";

/**
 * An endpoint is a capability (with the keys, anyone may push to the browser), a token
 * likewise: lists show which push service (or the token's tail, to tell two apps apart), never
 * enough to send with.
 */
export function maskEndpoint(address: string): string {
  try {
    return `${new URL(address).origin}/${ELLIPSIS}`;
  } catch {
    return ELLIPSIS;
  }
}

/** The channel's own rule, so a device's list entry and its history rows show the same tail. */
export const maskToken = maskPushToken;

const common = {
  id: z.uuid(),
  label: z.string().nullable(),
  createdAt: z.iso.datetime().describe("when the caller registered the device"),
  updatedAt: z.iso.datetime().describe("when the device was last registered again"),
};

const pushTargetResponse = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("webpush"),
      ...common,
      endpoint: z.string().describe("the push service's origin only, e.g. https://fcm.googleapis.com/…"),
    }),
    z.object({
      type: z.literal("fcm"),
      ...common,
      token: z.string().describe("an ellipsis and the token's last 6 characters"),
    }),
  ])
  .describe("A push target; its keys are never returned, its endpoint or token only masked");

type PushTargetView = z.infer<typeof pushTargetResponse>;

function present(target: PushTarget): PushTargetView {
  const base = {
    id: target.id,
    label: target.label,
    createdAt: target.createdAt.toISOString(),
    updatedAt: target.updatedAt.toISOString(),
  };
  return target.type === "webpush"
    ? { type: "webpush", ...base, endpoint: maskEndpoint(target.address) }
    : { type: "fcm", ...base, token: maskToken(target.address) };
}

const CACHE_503 = {
  description: "The change is stored, but the routing cache could not be invalidated; retry the request",
};

/**
 * The ingest worker caches each user's push targets with their settings: drop the entries of
 * every user whose targets changed, so the next event fans out to the devices as they are now.
 * Separate DELs, not one: keys of two users may live on different cluster slots.
 */
async function invalidate(deps: PushRouteDeps, tenantId: string, userIds: string[]) {
  try {
    await Promise.all(userIds.map((userId) => deps.redis.del(settingsCacheKey(tenantId, userId))));
  } catch (error) {
    deps.logger.error({ err: error, tenantId }, "push targets: routing cache invalidation failed");
    throw new HttpProblem({
      status: 503,
      title: "Service Unavailable",
      detail:
        "the push targets were changed but the routing cache could not be invalidated; retry the request",
    });
  }
}

export const vapidPublicKeyRoute = (push: PushApiConfig) => {
  const body = { publicKey: push.vapidPublicKey };
  return defineRoute({
    method: "get",
    path: "/api/v1/notifications/push/vapid-public-key",
    summary: "The VAPID application server key browsers subscribe with (public)",
    tags: ["push"],
    auth: "none",
    responses: {
      200: {
        description: "Pass it, decoded, as `applicationServerKey` to PushManager.subscribe()",
        schema: z.object({
          publicKey: z.string().describe("base64url (no padding) of the uncompressed P-256 point, 65 bytes"),
        }),
      },
    },
    handler: async () => ({
      status: 200,
      body,
      headers: { "Cache-Control": "public, max-age=3600" },
    }),
  });
};

export const registerPushTargetRoute = (deps: PushRouteDeps) =>
  defineRoute({
    method: "post",
    path: PUSH_SUBSCRIPTIONS_PATH,
    summary: "Register a push target for the caller: a browser's PushSubscription.toJSON() or an FCM token",
    tags: ["push"],
    auth: "user",
    body: pushTargetBody(deps.push.policy),
    responses: {
      201: { description: "A new device", schema: pushTargetResponse },
      200: {
        description:
          "The device was registered already (by the caller, or by another user of the tenant: it now belongs to the caller); same id",
        schema: pushTargetResponse,
      },
      409: { description: "The caller has PUSH_MAX_TARGETS_PER_USER targets already; delete one first" },
      503: CACHE_503,
    },
    handler: async ({ body, principal }) => {
      const result = await registerPushTarget(
        deps.push.sql,
        {
          tenantId: principal.tenantId,
          userId: principal.userId,
          ...(body.type === "fcm"
            ? { type: "fcm", address: body.token, keys: null }
            : { type: "webpush", address: body.endpoint, keys: body.keys }),
          // Omitted: the caller's own device keeps the label it had.
          ...(body.label === undefined ? {} : { label: body.label }),
        },
        deps.push.maxTargetsPerUser,
      );
      if (result.kind === "cap_reached") {
        throw HttpProblem.conflict(
          `you have ${result.cap} push targets, the most one user may register; delete one you no longer use (DELETE ${PUSH_SUBSCRIPTIONS_PATH}/{id}) and register again`,
        );
      }
      await invalidate(deps, principal.tenantId, [
        principal.userId,
        ...(result.previousUserId ? [result.previousUserId] : []),
      ]);
      return { status: result.kind === "created" ? 201 : 200, body: present(result.target) };
    },
  });

export const listPushTargetsRoute = (deps: PushRouteDeps) =>
  defineRoute({
    method: "get",
    path: PUSH_SUBSCRIPTIONS_PATH,
    summary: "The caller's push targets, oldest first (keys never, endpoints and tokens masked)",
    tags: ["push"],
    auth: "user",
    responses: {
      200: {
        description: "The caller's push targets",
        schema: z.object({ items: z.array(pushTargetResponse) }),
      },
    },
    handler: async ({ principal }) => ({
      status: 200,
      body: {
        items: (await listPushTargets(deps.push.sql, principal.tenantId, principal.userId)).map(present),
      },
    }),
  });

export const deletePushTargetRoute = (deps: PushRouteDeps) =>
  defineRoute({
    method: "delete",
    path: `${PUSH_SUBSCRIPTIONS_PATH}/:id`,
    summary: "Remove one of the caller's push targets",
    tags: ["push"],
    auth: "user",
    // Any text: an id that is not a uuid names nothing, so it is a 404 like an unknown one.
    params: z.object({ id: z.string().describe("a push target's id, from the list or the registration") }),
    responses: {
      204: { description: "Removed; the device gets no more notifications" },
      404: { description: "No such push target of the caller (unknown, malformed, or another user's)" },
      503: CACHE_503,
    },
    handler: async ({ params, principal }) => {
      const deleted = await deletePushTarget(deps.push.sql, principal.tenantId, principal.userId, params.id);
      if (!deleted) throw HttpProblem.notFound("no such push target");
      await invalidate(deps, principal.tenantId, [principal.userId]);
      return { status: 204 };
    },
  });

export const pushSubscriptionRoutes = (deps: PushRouteDeps) => [
  vapidPublicKeyRoute(deps.push),
  registerPushTargetRoute(deps),
  listPushTargetsRoute(deps),
  deletePushTargetRoute(deps),
];
