import type { Database } from "@fluxnotify/db";
import type { AllowListPolicy } from "@fluxnotify/shared/delivery";
import { type AuthOptions, createHttpApp, type ReadinessCheck } from "@fluxnotify/shared/http";
import type { Logger } from "@fluxnotify/shared/logger";
import type { Registry } from "@fluxnotify/shared/metrics";
import type { Redis } from "@fluxnotify/shared/redis";
import type { Pipeline } from "../pipeline/index";
import { dashboardRoutes } from "./dashboard";
import { deliveryRoutes } from "./deliveries";
import { historyRoute } from "./history";
import { type InboxApiConfig, inboxRoutes } from "./inbox";
import { inboxSiteRoutes } from "./inbox-site";
import { pipelineRoute } from "./pipeline";
import { pushSiteRoutes } from "./push-site";
import { type PushApiConfig, pushSubscriptionRoutes } from "./push-subscriptions";
import { getSettingsRoute, putSettingsRoute } from "./settings";

export interface QueryApiDeps {
  db: Database;
  redis: Redis;
  logger: Logger;
  registry: Registry;
  auth: AuthOptions;
  checks: Record<string, ReadinessCheck>;
  slackPolicy: AllowListPolicy;
  push: PushApiConfig;
  /** The inbox's store and streams (../inbox: createInbox). */
  inbox: Omit<InboxApiConfig, "redis" | "logger">;
  /** Consumer lag and channel breakers for the operations console (../pipeline). */
  pipeline: Pipeline;
  defaultTimeZone: string;
  bodyLimit?: string;
  /** Origins whose pages may call the inbox endpoints (the embeddable inbox on another site). */
  inboxAllowedOrigins?: readonly string[];
}

/** What a page of another site embedding the inbox calls (and nothing else cross-origin). */
const INBOX_PATHS = [
  "/api/v1/notifications/inbox",
  "/api/v1/notifications/stream-token",
  "/api/v1/notifications/stream",
];

/** The express app of CONTRACT §4 (minus the DLQ endpoints, which dlq-admin serves). */
export function createQueryApi(deps: QueryApiDeps) {
  return createHttpApp({
    name: "query-api",
    logger: deps.logger,
    registry: deps.registry,
    checks: deps.checks,
    auth: deps.auth,
    bodyLimit: deps.bodyLimit ?? "64kb",
    cors: { allowedOrigins: deps.inboxAllowedOrigins ?? [], pathPrefixes: INBOX_PATHS },
    routes: [
      historyRoute(deps.db),
      getSettingsRoute(deps.db),
      putSettingsRoute(deps),
      ...dashboardRoutes(deps.db, deps.defaultTimeZone),
      ...deliveryRoutes(deps.db),
      pipelineRoute(deps.pipeline),
      ...pushSubscriptionRoutes(deps),
      ...inboxRoutes({ ...deps.inbox, redis: deps.redis, logger: deps.logger }),
      ...pushSiteRoutes(),
      ...inboxSiteRoutes(),
    ],
  });
}
