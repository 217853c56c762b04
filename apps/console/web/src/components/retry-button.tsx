import { useState } from "react";
import type { DeadLetter } from "../api/types";
import { useCall } from "../api/use-api";
import { useI18n } from "../i18n/i18n";
import { ConfirmDialog } from "./dialog";
import { Notice } from "./notice";

/**
 * "Retry…" for one dead letter, behind a confirmation: POST …/{id}/retry replays it where our
 * consumers read it. Offered while it can be replayed (pending, or replayed and not yet
 * resolved: a retry of a retry is allowed).
 */
export function RetryButton({
  letter,
  onRetried,
}: {
  letter: DeadLetter;
  onRetried(updated: DeadLetter): void;
}) {
  const { t } = useI18n();
  const call = useCall();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: "success" | "error"; text: string } | undefined>();
  if (letter.status !== "PENDING" && letter.status !== "REPLAYED") return null;
  const confirm = async () => {
    setBusy(true);
    const result = await call<DeadLetter>(`/api/v1/admin/dlq/${encodeURIComponent(letter.id)}/retry`, {
      method: "POST",
    });
    setBusy(false);
    setOpen(false);
    if (result.ok) {
      setOutcome({ kind: "success", text: t("detail.retry.done") });
      onRetried(result.data);
    } else setOutcome({ kind: "error", text: t("common.failed", { detail: result.problem.detail }) });
  };
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} data-action="retry">
        {t("detail.retry")}
      </button>
      {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
      <ConfirmDialog
        open={open}
        title={t("detail.retry.title", { id: letter.id })}
        confirmLabel={t("detail.retry.confirm")}
        confirmDisabled={busy}
        onConfirm={() => void confirm()}
        onClose={() => setOpen(false)}
      >
        <p>{t("detail.retry.body", { where: letter.channel ?? letter.domain })}</p>
        <p className="wrap muted">{[letter.errorCode, letter.errorMessage].filter(Boolean).join(": ")}</p>
      </ConfirmDialog>
    </>
  );
}
