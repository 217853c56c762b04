import type { Delivery } from "../api/types";
import { useI18n } from "../i18n/i18n";
import { Link, navigate, withQuery } from "../router/router";
import { DeliveryBadge } from "./badges";

/** The timeline's address: an operator's names the tenant, so the page asks for that one. */
export const timelineHref = (notificationId: string, tenant: string | undefined) =>
  withQuery(`/deliveries/${encodeURIComponent(notificationId)}`, { tenant });

/**
 * Search results, newest first. Each row opens its notification's timeline: through the link
 * in its first cell (keyboard, new tab) or a click anywhere on it.
 */
export function DeliveryTable({ items, showTenant }: { items: Delivery[]; showTenant: boolean }) {
  const { t, formatDateTime } = useI18n();
  return (
    <div className="table-wrap">
      <table data-table="deliveries" className="rows-clickable">
        <thead>
          <tr>
            <th scope="col">{t("deliveries.open")}</th>
            <th scope="col">{t("deliveries.createdAt")}</th>
            {showTenant ? <th scope="col">{t("common.tenant")}</th> : null}
            <th scope="col">{t("common.user")}</th>
            <th scope="col">{t("common.channel")}</th>
            <th scope="col">{t("common.status")}</th>
            <th scope="col">{t("common.eventType")}</th>
            <th scope="col">{t("deliveries.recipient")}</th>
            <th scope="col">{t("deliveries.attempts")}</th>
            <th scope="col">{t("deliveries.reason")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const href = timelineHref(item.notificationId, showTenant ? item.tenantId : undefined);
            return (
              <tr
                key={item.notificationId}
                data-notification={item.notificationId}
                data-status={item.status}
                onClick={(event) => {
                  if (!(event.target as HTMLElement).closest("a, button")) navigate(href);
                }}
              >
                <td>
                  <Link to={href} aria-label={t("deliveries.openLabel", { id: item.notificationId })}>
                    <code>{item.notificationId.slice(0, 12)}</code>
                  </Link>
                </td>
                <td>{formatDateTime(item.createdAt)}</td>
                {showTenant ? <td>{item.tenantId ?? t("common.none")}</td> : null}
                <td>{item.userId ?? t("common.none")}</td>
                <td>{item.channel}</td>
                <td>
                  <DeliveryBadge status={item.status} />
                </td>
                <td>{item.eventType}</td>
                <td className="wrap">{item.recipient ?? t("common.none")}</td>
                <td>{item.attempts ?? t("common.none")}</td>
                <td className="wrap">
                  {[item.reasonCode, item.errorMessage].filter(Boolean).join(": ") || t("common.none")}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
