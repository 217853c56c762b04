import { EVENT_TYPES, shortEventType } from "@fluxnotify/shared/contracts";
import { z } from "zod";
import { decodeCursor, type HistoryCursor } from "./cursor";

/** Query parameters the history and the delivery search share. */

const EVENT_TYPE_NAMES = [...EVENT_TYPES, ...EVENT_TYPES.map(shortEventType)] as [string, ...string[]];

export const eventTypeParam = z
  .enum(EVENT_TYPE_NAMES)
  .optional()
  .transform((type) => (type === undefined || type.startsWith("com.fluxpay.") ? type : `com.fluxpay.${type}`))
  .describe("full (com.fluxpay.payment.approved) or short (payment.approved) type");

export const cursorParam = z
  .string()
  .max(512)
  .optional()
  .transform((text, ctx): HistoryCursor | undefined => {
    if (text === undefined) return undefined;
    const cursor = decodeCursor(text);
    if (!cursor) ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
    return cursor;
  })
  .describe("nextCursor of the previous page");
