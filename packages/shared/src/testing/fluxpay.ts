import { randomUUID } from "node:crypto";

/**
 * A FluxPay structured-mode CloudEvent as its Java publisher writes it, for tests, benches
 * and demos. A data value written "num:15000.00" becomes the bare JSON number 15000.00 with
 * its scale, as Java serialises BigDecimal ("num:1.5E+4" likewise, as Jackson may write it).
 */
export function fluxpayEvent(
  tenantId: string,
  type: string,
  data: Record<string, unknown>,
  options: { id?: string; rawData?: string } = {},
): { id: string; json: string } {
  const id = options.id ?? randomUUID();
  const now = new Date().toISOString();
  const envelope = {
    specversion: "1.0",
    id,
    source: "fluxpay-engine",
    type,
    datacontenttype: "application/json",
    time: now,
    tenantid: tenantId,
  };
  const dataJson = options.rawData ?? JSON.stringify({ eventId: id, occurredAt: now, ...data });
  const exactDataJson = dataJson.replace(/"num:(-?[0-9.]+(?:[eE][+-]?[0-9]+)?)"/g, "$1");
  return { id, json: `${JSON.stringify(envelope).slice(0, -1)},"data":${exactDataJson}}` };
}
