import { findTenant, type SqlExecutor } from "@fluxnotify/db/queries/ingest";
import { tenantEnvKey } from "@fluxnotify/shared/env";

export type TenantWebhookLookup = (db: SqlExecutor, tenantId: string) => Promise<string | undefined>;

/**
 * The tenant's operations webhook: the tenants table first, then SLACK_WEBHOOK_URL_{TENANT}.
 * Cached in-process for `ttlMs` (tenant settings change rarely; every event needs them).
 */
export function createTenantWebhookLookup(
  tenantWebhooks: Record<string, string>,
  ttlMs = 60_000,
): TenantWebhookLookup {
  const cache = new Map<string, { url: string | undefined; expires: number }>();
  return async (db, tenantId) => {
    const hit = cache.get(tenantId);
    if (hit && hit.expires > Date.now()) return hit.url;
    const tenant = await findTenant(db, tenantId);
    const url = tenant?.slackWebhookUrl ?? tenantWebhooks[tenantEnvKey(tenantId)];
    cache.set(tenantId, { url, expires: Date.now() + ttlMs });
    return url;
  };
}
