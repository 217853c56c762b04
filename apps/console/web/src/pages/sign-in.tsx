import { useEffect, useId, useState } from "react";
import { SelectField, TextField } from "../components/fields";
import { Notice } from "../components/notice";
import { Page, Section } from "../components/page";
import { useI18n } from "../i18n/i18n";
import { navigate, useLocation } from "../router/router";
import { useSession } from "../session/session";
import type { TokenProblem } from "../session/token";

const PROBLEM_KEYS = {
  notJwt: "signIn.error.notJwt",
  expired: "signIn.error.expired",
  role: "signIn.error.role",
} as const satisfies Record<TokenProblem, string>;

/** Where to go once signed in: the page that sent the user here, if it is one of ours. */
function destination(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/overview";
}

/** Whether this server offers the development sign-in (never in production). */
function useDevSignIn(): boolean {
  const [offered, setOffered] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    fetch("/console/config", { signal: abort.signal, cache: "no-store" })
      .then((response) => (response.ok ? response.json() : { devSignIn: false }))
      .then((config: { devSignIn?: unknown }) => setOffered(config.devSignIn === true))
      .catch(() => {});
    return () => abort.abort();
  }, []);
  return offered;
}

export function SignInPage() {
  const { t } = useI18n();
  const { signIn, notice } = useSession();
  const { query } = useLocation();
  const next = destination(query.get("next"));
  const devSignIn = useDevSignIn();
  const tokenId = useId();
  const [token, setToken] = useState("");
  const [tokenError, setTokenError] = useState<string | undefined>(undefined);
  const [dev, setDev] = useState({ tenant: "tenant-a", userId: "ops", role: "admin" });
  const [devError, setDevError] = useState<string | undefined>(undefined);

  const accept = (value: string): boolean => {
    const problem = signIn(value);
    if (problem) return false;
    navigate(next, { replace: true });
    return true;
  };

  const submitToken = () => {
    const problem = signIn(token);
    if (problem) setTokenError(t(PROBLEM_KEYS[problem]));
    else navigate(next, { replace: true });
  };

  const submitDev = async () => {
    setDevError(undefined);
    try {
      const response = await fetch("/console/dev-token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(dev),
        credentials: "omit",
      });
      const body = (await response.json().catch(() => ({}))) as { token?: string; detail?: string };
      if (!response.ok || !body.token) {
        setDevError(t("signIn.dev.failed", { detail: body.detail ?? String(response.status) }));
        return;
      }
      if (!accept(body.token)) setDevError(t("signIn.dev.failed", { detail: "token refused" }));
    } catch {
      setDevError(t("signIn.dev.failed", { detail: "network" }));
    }
  };

  return (
    <Page title={t("signIn.title")}>
      {notice ? <Notice kind="error">{t(notice)}</Notice> : null}
      <p>{t("signIn.intro")}</p>
      <Section title={t("signIn.token.title")} id="sign-in-token">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submitToken();
          }}
        >
          <div className="field">
            <label htmlFor={tokenId}>{t("signIn.token.label")}</label>
            <textarea
              id={tokenId}
              name="token"
              rows={4}
              value={token}
              onChange={(event) => setToken(event.target.value)}
              spellCheck={false}
              autoComplete="off"
              required
            />
          </div>
          {tokenError ? <Notice kind="error">{tokenError}</Notice> : null}
          <button type="submit" className="primary">
            {t("signIn.token.submit")}
          </button>
        </form>
      </Section>
      {devSignIn ? (
        <Section title={t("signIn.dev.title")} id="sign-in-dev">
          <p className="muted">{t("signIn.dev.intro")}</p>
          <form
            className="filters"
            onSubmit={(event) => {
              event.preventDefault();
              void submitDev();
            }}
          >
            <div className="filter-fields">
              <TextField
                label={t("signIn.dev.tenant")}
                name="tenant"
                value={dev.tenant}
                onChange={(tenant) => setDev({ ...dev, tenant })}
                required
              />
              <TextField
                label={t("signIn.dev.user")}
                name="userId"
                value={dev.userId}
                onChange={(userId) => setDev({ ...dev, userId })}
                required
              />
              <SelectField
                label={t("signIn.dev.role")}
                name="role"
                value={dev.role}
                onChange={(role) => setDev({ ...dev, role })}
                options={[
                  { value: "admin", label: t("role.admin") },
                  { value: "operator", label: t("role.operator") },
                ]}
              />
            </div>
            {devError ? <Notice kind="error">{devError}</Notice> : null}
            <div className="filter-actions">
              <button type="submit" className="primary">
                {t("signIn.dev.submit")}
              </button>
            </div>
          </form>
        </Section>
      ) : null}
    </Page>
  );
}
