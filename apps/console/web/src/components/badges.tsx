import type { DeliveryStatus, DlqStatus } from "../api/types";
import { useI18n } from "../i18n/i18n";

/** The status in words, the API's code in data-status (and as the tooltip) for exact reading. */
export function DeliveryBadge({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status} title={status}>
      {t(`status.${status}`)}
    </span>
  );
}

export function DlqBadge({ status }: { status: DlqStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-dlq-${status.toLowerCase()}`} data-status={status} title={status}>
      {t(`dlq.status.${status}`)}
    </span>
  );
}
