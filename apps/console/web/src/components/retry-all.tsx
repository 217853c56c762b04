import { useEffect, useState } from "react";
import { isMissingEndpoint } from "../api/client";
import type { RetryAllPreview, RetryAllResult } from "../api/types";
import { useCall } from "../api/use-api";
import { useI18n } from "../i18n/i18n";
import { ConfirmDialog } from "./dialog";
import { Notice } from "./notice";

/** retry-all's filters: the list's, less what it does not take (status: it replays pending ones). */
export type RetryAllFilters = Partial<
  Record<"tenant" | "domain" | "channel" | "eventId" | "errorCode" | "error" | "from" | "to", string>
>;

type Preview =
  | { state: "loading" }
  | { state: "ok"; preview: RetryAllPreview }
  | { state: "unavailable"; detail: string }
  | { state: "error"; detail: string };

/**
 * "Retry all matching…": the dialog first asks for a dry run (how many pending dead letters
 * match, how many of them can be replayed), then replays on confirmation. No filter means
 * every pending dead letter in the caller's scope, and the dialog says so (`all: true` is
 * sent only then, as the API requires).
 */
export function RetryAllButton({ filters, onDone }: { filters: RetryAllFilters; onDone(): void }) {
  const { t, formatNumber } = useI18n();
  const call = useCall();
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<Preview>({ state: "loading" });
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: "success" | "error"; text: string } | undefined>();
  const given = Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
  const body = Object.keys(given).length > 0 ? given : { all: true };
  const bodyKey = JSON.stringify(body);
  useEffect(() => {
    if (!open) return;
    setPreview({ state: "loading" });
    let current = true;
    void call<RetryAllPreview>("/api/v1/admin/dlq/retry-all", {
      method: "POST",
      body: { ...body, dryRun: true },
    }).then((result) => {
      if (!current) return;
      if (result.ok) setPreview({ state: "ok", preview: result.data });
      else if (isMissingEndpoint(result.problem, "dryRun"))
        setPreview({ state: "unavailable", detail: String(result.status) });
      else setPreview({ state: "error", detail: result.problem.detail });
    });
    return () => {
      current = false;
    };
  }, [open, bodyKey, call]);

  const confirm = async () => {
    setBusy(true);
    const result = await call<RetryAllResult>("/api/v1/admin/dlq/retry-all", { method: "POST", body });
    setBusy(false);
    setOpen(false);
    if (result.ok) {
      setOutcome({
        kind: "success",
        text: t("dlq.retryAll.done", {
          replayed: formatNumber(result.data.replayed),
          remaining: formatNumber(result.data.remaining),
          unreplayable: formatNumber(result.data.unreplayable),
        }),
      });
      onDone();
    } else setOutcome({ kind: "error", text: t("common.failed", { detail: result.problem.detail }) });
  };

  const nothing = preview.state === "ok" && preview.preview.replayable === 0;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} data-action="retry-all">
        {t("dlq.retryAll")}
      </button>
      {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
      <ConfirmDialog
        open={open}
        title={t("dlq.retryAll.title")}
        confirmLabel={t("dlq.retryAll.confirm")}
        confirmDisabled={busy || preview.state === "loading" || preview.state === "error" || nothing}
        onConfirm={() => void confirm()}
        onClose={() => setOpen(false)}
      >
        <p>
          {"all" in body
            ? t("dlq.retryAll.everything")
            : t("dlq.retryAll.scope", {
                filters: Object.entries(given)
                  .map(([name, value]) => `${name} = ${value}`)
                  .join(", "),
              })}
        </p>
        <p data-preview={preview.state} role="status">
          {preview.state === "loading"
            ? t("dlq.retryAll.previewing")
            : preview.state === "ok"
              ? t("dlq.retryAll.preview", {
                  matched: formatNumber(preview.preview.matched),
                  replayable: formatNumber(preview.preview.replayable),
                })
              : preview.state === "unavailable"
                ? t("dlq.retryAll.noPreview", { detail: preview.detail })
                : t("common.failed", { detail: preview.detail })}
        </p>
      </ConfirmDialog>
    </>
  );
}
