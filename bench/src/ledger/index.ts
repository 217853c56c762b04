export { checkLedger, type LedgerReport } from "./check";
export {
  type ExpectedNotification,
  type ExpectedStatus,
  expectedForAll,
  expectedNotifications,
} from "./expected";
export { countTerminal, type LogRow, observe } from "./outcome";
export { countReceipts, duplicatesOf, type Receipts } from "./receipts";
