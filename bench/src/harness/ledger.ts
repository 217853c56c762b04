import { checkLedger, type LedgerReport } from "../ledger/index";
import type { Harness } from "./platform";

type Workload = Pick<Parameters<typeof checkLedger>[0], "population" | "events" | "expected">;

/** The ledger of a run against `harness`: its read model and what its stand-ins received. */
export function checkHarnessLedger(harness: Harness, workload: Workload): Promise<LedgerReport> {
  return checkLedger({
    sql: harness.db.sql,
    ...workload,
    receipts: {
      emails: harness.smtp.received,
      webhooks: harness.webhook.received,
      inApp: harness.inApp.messages,
      pushes: harness.push.accepted(),
    },
  });
}
