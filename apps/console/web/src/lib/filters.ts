import { useState } from "react";
import { navigate, useLocation, withQuery } from "../router/router";
import { isoToLocal, localToIso } from "./time";

export type Filters<K extends string> = Record<K, string>;

/**
 * A page's filters live in its URL (a shared link opens the same list): `applied` is what the
 * URL says, `draft` what the form holds until it is submitted. Back and forward re-sync it.
 * `instants` are ISO instants in the URL (as the APIs take them) and local date-times in the
 * form (as datetime-local inputs show them).
 */
export function useUrlFilters<K extends string>(keys: readonly K[], instants: readonly K[] = []) {
  const { path, query, href } = useLocation();
  const applied = Object.fromEntries(keys.map((key) => [key, query.get(key) ?? ""])) as Filters<K>;
  const toDraft = (filters: Filters<K>) =>
    Object.fromEntries(
      keys.map((key) => [key, instants.includes(key) ? isoToLocal(filters[key]) : filters[key]]),
    ) as Filters<K>;
  const [draft, setDraft] = useState<Filters<K>>(() => toDraft(applied));
  const [syncedHref, setSyncedHref] = useState(href);
  if (syncedHref !== href) {
    setSyncedHref(href);
    setDraft(toDraft(applied));
  }
  const set = (key: K, value: string) => setDraft((current) => ({ ...current, [key]: value }));
  const apply = () => {
    const next = Object.fromEntries(
      keys.map((key) => [key, instants.includes(key) ? (localToIso(draft[key]) ?? "") : draft[key].trim()]),
    );
    navigate(withQuery(path, next));
  };
  return { applied, draft, set, apply, clearHref: path };
}

/** The non-empty filters, for an API query (undefined values are left out of it). */
export function present<K extends string>(filters: Filters<K>): Record<K, string | undefined> {
  return Object.fromEntries(
    Object.entries(filters).map(([key, value]) => [key, value || undefined]),
  ) as Record<K, string | undefined>;
}
