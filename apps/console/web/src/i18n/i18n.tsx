import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { en, type MessageKey } from "./en";
import { ko } from "./ko";

export type Locale = "ko" | "en";
export const LOCALES: readonly Locale[] = ["ko", "en"];
const TABLES: Record<Locale, Record<MessageKey, string>> = { en, ko };
/** Not a secret: the language survives the tab (the token does not). */
const STORAGE_KEY = "fluxnotify.console.locale";

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t: Translate;
  /** Dates and times in the browser's zone, in the chosen language. */
  formatDateTime(iso: string | null | undefined): string;
  formatNumber(value: number): string;
  formatPercent(rate: number | null): string;
}

const Context = createContext<I18n | undefined>(undefined);

function initialLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === "ko" || stored === "en") return stored;
  return navigator.language.toLowerCase().startsWith("ko") ? "ko" : "en";
}

const fill = (text: string, values: Record<string, string | number> | undefined) =>
  values ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)) : text;

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const table = TABLES[locale];
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" });
    const number = new Intl.NumberFormat(locale);
    const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
    return {
      locale,
      setLocale,
      t: (key, values) => fill(table[key], values),
      formatDateTime: (iso) => {
        if (!iso) return table["common.none"];
        const date = new Date(iso);
        return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
      },
      formatNumber: (n) => number.format(n),
      formatPercent: (rate) => (rate === null ? table["common.none"] : percent.format(rate)),
    };
  }, [locale, setLocale]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
