import { isStorableInstant, parseInt64 } from "@fluxnotify/shared/http";

/**
 * Opaque keyset cursor: the (created_at, id) of the last row served. Keyset (not offset)
 * paging is stable under concurrent inserts: new notifications sort before the cursor and
 * never shift the pages after it. created_at travels as text to keep its microseconds.
 */
export interface HistoryCursor {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), "utf8").toString("base64url");
}

/**
 * A timestamp PostgreSQL will take: the pattern alone lets "2026-02-30" or "T99:99" through,
 * which the database refuses; the round trip through Date catches every such field.
 */
function isRealTimestamp(text: string): boolean {
  if (!TIMESTAMP.test(text)) return false;
  const date = new Date(text);
  return isStorableInstant(date) && date.toISOString().slice(0, 19) === text.slice(0, 19);
}

/**
 * Undefined when the text is not a cursor this service issued (forged or damaged ones
 * included: they must be a 400, never reach the database as an impossible value).
 */
export function decodeCursor(text: string): HistoryCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== "string" || !isRealTimestamp(createdAt)) return undefined;
    if (typeof id !== "string" || parseInt64(id) === undefined) return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}
