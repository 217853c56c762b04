import { useId, useState } from "react";
import type { DeadLetter } from "../api/types";
import { useCall } from "../api/use-api";
import { useI18n } from "../i18n/i18n";
import { ConfirmDialog } from "./dialog";
import { Notice } from "./notice";

/** "Discard…": a reason is required (it goes into the audit trail), then a confirmation. */
export function DiscardButton({ letter, onDiscarded }: { letter: DeadLetter; onDiscarded(): void }) {
  const { t } = useI18n();
  const call = useCall();
  const reasonId = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: "success" | "error"; text: string } | undefined>();
  if (letter.status === "RESOLVED" || letter.status === "DISCARDED") return null;
  const confirm = async () => {
    setBusy(true);
    const result = await call<undefined>(`/api/v1/admin/dlq/${encodeURIComponent(letter.id)}`, {
      method: "DELETE",
      query: { reason: reason.trim() },
    });
    setBusy(false);
    setOpen(false);
    if (result.ok) {
      setOutcome({ kind: "success", text: t("detail.discard.done") });
      setReason("");
      onDiscarded();
    } else setOutcome({ kind: "error", text: t("common.failed", { detail: result.problem.detail }) });
  };
  return (
    <>
      <button type="button" className="danger-outline" onClick={() => setOpen(true)} data-action="discard">
        {t("detail.discard")}
      </button>
      {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
      <ConfirmDialog
        open={open}
        title={t("detail.discard.title", { id: letter.id })}
        confirmLabel={t("detail.discard.confirm")}
        confirmDisabled={busy || reason.trim().length === 0}
        danger
        onConfirm={() => void confirm()}
        onClose={() => setOpen(false)}
      >
        <p>{t("detail.discard.body")}</p>
        <div className="field">
          <label htmlFor={reasonId}>{t("detail.discard.reason")}</label>
          <textarea
            id={reasonId}
            name="reason"
            rows={3}
            maxLength={1000}
            required
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
      </ConfirmDialog>
    </>
  );
}
