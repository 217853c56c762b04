import { useCallback, useEffect, useState } from "react";
import { useSession } from "../session/session";
import { type ApiResult, apiCall, isMissingEndpoint, type Problem } from "./client";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "ok"; data: T }
  | { state: "error"; problem: Problem }
  /** The platform has no such endpoint yet: the page says "not available". */
  | { state: "unavailable"; problem: Problem };

export interface UseApiOptions<T> {
  /** The endpoint may be missing on this platform (see isMissingEndpoint). */
  optional?: boolean | { unknownName: string };
  /** While it returns a delay, the call is repeated after it (an outcome being waited for). */
  pollMs?: (data: T) => number | undefined;
}

/** The call a hook makes, with the session's token; a 401 ends the session. */
export function useCall() {
  const { token, signOut } = useSession();
  return useCallback(
    async <T>(path: string, options: Parameters<typeof apiCall>[2] = {}): Promise<ApiResult<T>> => {
      const result = await apiCall<T>(token ?? "", path, options);
      if (!result.ok && result.status === 401) signOut("session.expired");
      return result;
    },
    [token, signOut],
  );
}

/**
 * GET `path` (null: nothing to load yet) whenever it or its query changes, or reload() is
 * called. The data shown stays while a poll or reload is under way, so nothing flickers.
 */
export function useApi<T>(
  path: string | null,
  query: Record<string, string | undefined> = {},
  options: UseApiOptions<T> = {},
): Loaded<T> & { reload(): void } {
  const call = useCall();
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const key = JSON.stringify([path, query]);
  const { optional, pollMs } = options;
  const unknownName = typeof optional === "object" ? optional.unknownName : undefined;
  // Keyed by `key` (path and query as text): callers pass a new query object on each render,
  // which must not mean a new request.
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    call<T>(path, { query, signal: abort.signal }).then(
      (result) => {
        if (abort.signal.aborted) return;
        if (result.ok) {
          setLoaded({ state: "ok", data: result.data });
          const delay = pollMs?.(result.data);
          if (delay !== undefined) timer = setTimeout(reload, delay);
        } else if (optional && isMissingEndpoint(result.problem, unknownName)) {
          setLoaded({ state: "unavailable", problem: result.problem });
        } else {
          setLoaded({ state: "error", problem: result.problem });
        }
      },
      () => {},
    );
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [key, generation, call]);

  // A new path or query starts from "loading"; a reload of the same keeps what is shown.
  const [shownKey, setShownKey] = useState(key);
  if (shownKey !== key) {
    setShownKey(key);
    setLoaded({ state: "loading" });
  }
  return { ...loaded, reload };
}

export interface Pages<T> {
  first: Loaded<{ items: T[]; nextCursor: string | null }>;
  /** Every item loaded so far: the first page's, then each "load more". */
  items: T[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
  reload(): void;
}

/** A cursor-paginated list (`items`, `nextCursor`), its first page reloaded when the query changes. */
export function usePages<T>(
  path: string | null,
  query: Record<string, string | undefined>,
  options: UseApiOptions<{ items: T[]; nextCursor: string | null }> = {},
): Pages<T> {
  const call = useCall();
  const first = useApi<{ items: T[]; nextCursor: string | null }>(path, query, options);
  const key = JSON.stringify([path, query]);
  const [more, setMore] = useState<{ key: string; items: T[]; cursor: string | null; loading: boolean }>({
    key: "",
    items: [],
    cursor: null,
    loading: false,
  });
  const own = more.key === key && first.state === "ok";
  const items = first.state === "ok" ? [...first.data.items, ...(own ? more.items : [])] : [];
  const cursor =
    own && more.items.length > 0 ? more.cursor : first.state === "ok" ? first.data.nextCursor : null;
  const loadMore = () => {
    if (!path || !cursor || more.loading) return;
    setMore({ key, items: own ? more.items : [], cursor, loading: true });
    void call<{ items: T[]; nextCursor: string | null }>(path, { query: { ...query, cursor } }).then(
      (result) => {
        setMore((current) =>
          current.key !== key
            ? current
            : result.ok
              ? {
                  key,
                  items: [...current.items, ...result.data.items],
                  cursor: result.data.nextCursor,
                  loading: false,
                }
              : { ...current, loading: false },
        );
      },
    );
  };
  const reload = () => {
    setMore({ key: "", items: [], cursor: null, loading: false });
    first.reload();
  };
  return { first, items, hasMore: cursor !== null, loadingMore: own && more.loading, loadMore, reload };
}
