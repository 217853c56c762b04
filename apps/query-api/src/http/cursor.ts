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

/** Undefined when the text is not a cursor this service issued. */
export function decodeCursor(text: string): HistoryCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== "string" || !TIMESTAMP.test(createdAt)) return undefined;
    if (typeof id !== "string" || !/^\d{1,19}$/.test(id)) return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}
