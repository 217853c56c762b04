import type { ReactNode } from "react";
import { LOCALES, useI18n } from "../i18n/i18n";
import { Link, navigate, useLocation } from "../router/router";
import { useSession } from "../session/session";

const LANGUAGE_NAMES = { ko: "한국어", en: "English" } as const;

const NAV = [
  { to: "/overview", key: "nav.overview" },
  { to: "/deliveries", key: "nav.deliveries" },
  { to: "/dead-letters", key: "nav.deadLetters" },
] as const;

/** Header (who is signed in, the language, sign-out), the navigation and the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const { claims, signOut } = useSession();
  const { path } = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="top">
        <Link to="/overview" className="brand">
          {t("app.title")}
        </Link>
        {claims ? (
          <nav aria-label={t("nav.label")}>
            <ul>
              {NAV.map((item) => {
                const current = path === item.to || path.startsWith(`${item.to}/`);
                return (
                  <li key={item.to}>
                    <Link to={item.to} aria-current={current ? "page" : undefined}>
                      {t(item.key)}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        ) : null}
        <div className="top-end">
          <fieldset className="languages">
            <legend className="visually-hidden">{t("app.language")}</legend>
            {LOCALES.map((option) => (
              <button
                key={option}
                type="button"
                lang={option}
                aria-pressed={locale === option}
                onClick={() => setLocale(option)}
              >
                {LANGUAGE_NAMES[option]}
              </button>
            ))}
          </fieldset>
          {claims ? (
            <>
              <span className="who" data-role={claims.role}>
                {t("session.who", {
                  user: claims.userId,
                  tenant: claims.tenantId,
                  role: t(`role.${claims.role}`),
                })}
              </span>
              <button
                type="button"
                onClick={() => {
                  signOut("session.signedOut");
                  navigate("/sign-in");
                }}
              >
                {t("session.signOut")}
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
