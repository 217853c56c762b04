/**
 * JSON.parse that keeps every number as its exact source text (`15000.00` stays
 * "15000.00"), using the reviver's `context.source` (ES2025 JSON.parse source text access).
 * FluxPay amounts are decimals; a float round trip would change what users read.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function reviveNumber(_key, value, context?: { source?: string }) {
    return typeof value === "number" && context?.source !== undefined ? context.source : value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}
