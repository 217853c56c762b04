/** What the console reads from a token to decide what to show; the APIs verify it on every call. */
export interface Claims {
  userId: string;
  tenantId: string;
  role: "admin" | "operator";
  /** Seconds since the epoch, as in `exp`. */
  expiresAt: number | undefined;
}

export type TokenProblem = "notJwt" | "expired" | "role";

function decodePart(part: string): unknown {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")), (char) =>
    char.charCodeAt(0),
  );
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * The claims of CONTRACT §4 (`sub`, `tenant`, `roles`, `exp`), read without verifying: the
 * console has no key (no secret in the bundle) and needs none, since it only decides which
 * filters to show; every call is still checked by the API. An operator token is shown the
 * operator's console even if it also says admin.
 */
export function readClaims(token: string, now = Date.now()): Claims | TokenProblem {
  const parts = token.split(".");
  if (parts.length !== 3) return "notJwt";
  let payload: Record<string, unknown>;
  try {
    const decoded = decodePart(parts[1] ?? "");
    if (!decoded || typeof decoded !== "object") return "notJwt";
    payload = decoded as Record<string, unknown>;
  } catch {
    return "notJwt";
  }
  const { sub, tenant, roles, exp } = payload;
  if (typeof sub !== "string" || typeof tenant !== "string") return "notJwt";
  const expiresAt = typeof exp === "number" ? exp : undefined;
  if (expiresAt !== undefined && expiresAt * 1000 <= now) return "expired";
  const list = Array.isArray(roles) ? roles : [];
  const role = list.includes("operator") ? "operator" : list.includes("admin") ? "admin" : undefined;
  if (!role) return "role";
  return { userId: sub, tenantId: tenant, role, expiresAt };
}

/** This tab only: closing it signs out, and no other tab or later visit finds the token. */
const STORAGE_KEY = "fluxnotify.console.token";

export const storedToken = () => sessionStorage.getItem(STORAGE_KEY);
export const storeToken = (token: string) => sessionStorage.setItem(STORAGE_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(STORAGE_KEY);
