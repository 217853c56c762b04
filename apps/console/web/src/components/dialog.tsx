import { type ReactNode, useEffect, useId, useRef } from "react";
import { useI18n } from "../i18n/i18n";

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Disabled while its preconditions (a reason, a preview) are not met, or while it runs. */
  confirmDisabled?: boolean;
  danger?: boolean;
  onConfirm(): void;
  onClose(): void;
}

/**
 * A modal confirmation on the platform's <dialog>: the rest of the page is inert while it is
 * open, Tab stays inside it, Escape closes it. The focus goes to its first field (or Cancel,
 * never straight to the destructive button) and back to whatever opened it on close.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const bodyId = useId();
  const { open, onClose } = props;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
      const field = element.querySelector<HTMLElement>("textarea, input, select");
      (field ?? cancel.current)?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    // Escape (the "cancel" event) and close() alike: tell the owner, restore the focus.
    const closed = () => {
      onClose();
      const back = opener.current;
      opener.current = null;
      if (back?.isConnected) back.focus();
    };
    element.addEventListener("close", closed);
    return () => element.removeEventListener("close", closed);
  }, [onClose]);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} aria-describedby={bodyId}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (!props.confirmDisabled) props.onConfirm();
        }}
      >
        <h2 id={titleId}>{props.title}</h2>
        <div id={bodyId} className="dialog-body">
          {props.children}
        </div>
        <div className="dialog-actions">
          <button type="button" ref={cancel} onClick={() => dialog.current?.close()}>
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            className={props.danger ? "danger" : "primary"}
            disabled={props.confirmDisabled}
          >
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
