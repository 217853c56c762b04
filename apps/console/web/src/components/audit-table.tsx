import type { AuditEntry } from "../api/types";
import { useI18n } from "../i18n/i18n";

export function AuditTable({ audit, caption }: { audit: AuditEntry[]; caption?: string }) {
  const { t, formatDateTime } = useI18n();
  return (
    <div className="table-wrap">
      <table data-table="audit">
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            <th scope="col">{t("common.time")}</th>
            <th scope="col">{t("detail.audit.action")}</th>
            <th scope="col">{t("detail.audit.actor")}</th>
            <th scope="col">{t("detail.audit.detail")}</th>
          </tr>
        </thead>
        <tbody>
          {audit.map((entry, index) => (
            <tr key={`${entry.at}-${index}`} data-action={entry.action}>
              <td>{formatDateTime(entry.at)}</td>
              <td>{t(`audit.${entry.action}`)}</td>
              <td>{entry.actor}</td>
              <td className="wrap">{entry.detail ?? t("common.none")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
