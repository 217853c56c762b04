import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import type { MessageKey } from "../i18n/en";
import { type Claims, forgetToken, readClaims, storedToken, storeToken, type TokenProblem } from "./token";

interface Session {
  token: string | undefined;
  claims: Claims | undefined;
  /** Why the user is on the sign-in page, when it was not their choice. */
  notice: MessageKey | undefined;
  /** Keeps the token when it is usable here; otherwise says why not. */
  signIn(token: string): TokenProblem | undefined;
  signOut(notice?: MessageKey): void;
}

const Context = createContext<Session | undefined>(undefined);

function restore(): { token: string; claims: Claims } | undefined {
  const token = storedToken();
  if (!token) return undefined;
  const claims = readClaims(token);
  if (typeof claims === "string") {
    forgetToken();
    return undefined;
  }
  return { token, claims };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [current, setCurrent] = useState(restore);
  const [notice, setNotice] = useState<MessageKey | undefined>(undefined);
  const signIn = useCallback((token: string) => {
    const trimmed = token.trim().replace(/^Bearer\s+/i, "");
    const claims = readClaims(trimmed);
    if (typeof claims === "string") return claims;
    storeToken(trimmed);
    setNotice(undefined);
    setCurrent({ token: trimmed, claims });
    return undefined;
  }, []);
  const signOut = useCallback((reason?: MessageKey) => {
    forgetToken();
    setNotice(reason);
    setCurrent(undefined);
  }, []);
  const value = useMemo<Session>(
    () => ({ token: current?.token, claims: current?.claims, notice, signIn, signOut }),
    [current, notice, signIn, signOut],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): Session {
  const value = useContext(Context);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** For pages behind the sign-in: the claims are there (the app routes to sign-in otherwise). */
export function useClaims(): Claims {
  const { claims } = useSession();
  if (!claims) throw new Error("useClaims without a session");
  return claims;
}
