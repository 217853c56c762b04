import type { ReactNode } from "react";
import type { Loaded } from "../api/use-api";
import { useI18n } from "../i18n/i18n";

export function Notice({
  kind = "info",
  children,
}: {
  kind?: "info" | "error" | "success";
  children: ReactNode;
}) {
  // Errors interrupt (alert); the rest is announced when the reader is idle (status).
  return (
    <p className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** Loading, failed or not available; the data once it is there. */
export function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useI18n();
  switch (loaded.state) {
    case "loading":
      return <p className="muted">{t("common.loading")}</p>;
    case "error":
      return <Notice kind="error">{t("common.failed", { detail: loaded.problem.detail })}</Notice>;
    case "unavailable":
      return (
        <p className="notice notice-muted" data-unavailable="">
          {t("common.notAvailable", { detail: `${loaded.problem.status}` })}
        </p>
      );
    case "ok":
      return <>{children(loaded.data)}</>;
  }
}
