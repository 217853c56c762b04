import { isOperator, type Principal } from "./auth";
import { HttpProblem } from "./problem";
import { storableText } from "./storable";

/** The `tenant` query parameter (or body field) of dashboard and DLQ endpoints. */
export const tenantParam = storableText(256)
  .min(1)
  .describe("operators: only this tenant (default: every tenant); admins may name only their own");

/**
 * The tenants a dashboard or DLQ request acts on (CONTRACT §4). `tenantId` undefined means
 * every tenant, including records whose tenant could not be read; only an operator without
 * `requested` gets that. An admin acts on its token's tenant, and naming another is refused.
 */
export interface TenantScope {
  tenantId: string | undefined;
}

export function tenantScope(principal: Principal, requested: string | undefined): TenantScope {
  if (isOperator(principal)) return { tenantId: requested };
  if (requested !== undefined && requested !== principal.tenantId) {
    throw HttpProblem.forbidden("an admin acts on its own tenant only; `tenant` names another one");
  }
  return { tenantId: principal.tenantId };
}
