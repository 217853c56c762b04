import { CHANNELS, DELIVERY_STATUSES, type Delivery } from "../api/types";
import { usePages } from "../api/use-api";
import { DeliveryTable } from "../components/delivery-table";
import { FilterForm, SelectField, TenantField, TextField } from "../components/fields";
import { Loading, Notice } from "../components/notice";
import { Page } from "../components/page";
import { useI18n } from "../i18n/i18n";
import { present, useUrlFilters } from "../lib/filters";
import { Link } from "../router/router";
import { useClaims } from "../session/session";

const KEYS = ["userId", "eventId", "notificationId", "channel", "status", "from", "to", "tenant"] as const;

export function DeliveriesPage() {
  const { t } = useI18n();
  const claims = useClaims();
  const filters = useUrlFilters(KEYS, ["from", "to"]);
  const query = present(filters.applied);
  const search = usePages<Delivery>(
    "/api/v1/dashboard/deliveries",
    { ...query, limit: "50" },
    { optional: true },
  );
  // An older platform has no delivery search: one user's history is the next best thing.
  const fallback = search.first.state === "unavailable";
  const history = usePages<Delivery>(fallback && query.userId ? "/api/v1/notifications" : null, {
    userId: query.userId,
    channel: query.channel,
    status: query.status,
    limit: "50",
  });
  const shown = fallback ? history : search;
  // The history's items are one user's, and do not repeat whose.
  const items = fallback ? shown.items.map((item) => ({ ...item, userId: query.userId })) : shown.items;
  const showTenant = claims.role === "operator" && !fallback;
  return (
    <Page title={t("deliveries.title")}>
      <FilterForm
        onSubmit={() => filters.apply()}
        submitLabel={t("common.search")}
        clearTo={<Link to={filters.clearHref}>{t("common.clear")}</Link>}
      >
        <TextField
          label={t("common.user")}
          name="userId"
          value={filters.draft.userId}
          onChange={(v) => filters.set("userId", v)}
        />
        <TextField
          label={t("common.eventId")}
          name="eventId"
          value={filters.draft.eventId}
          onChange={(v) => filters.set("eventId", v)}
        />
        <TextField
          label={t("common.notificationId")}
          name="notificationId"
          value={filters.draft.notificationId}
          onChange={(v) => filters.set("notificationId", v)}
        />
        <SelectField
          label={t("common.channel")}
          name="channel"
          value={filters.draft.channel}
          onChange={(v) => filters.set("channel", v)}
          options={CHANNELS.map((channel) => ({ value: channel, label: channel }))}
          any
        />
        <SelectField
          label={t("common.status")}
          name="status"
          value={filters.draft.status}
          onChange={(v) => filters.set("status", v)}
          options={DELIVERY_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))}
          any
        />
        <TextField
          label={t("common.from")}
          name="from"
          type="datetime-local"
          value={filters.draft.from}
          onChange={(v) => filters.set("from", v)}
        />
        <TextField
          label={t("common.to")}
          name="to"
          type="datetime-local"
          value={filters.draft.to}
          onChange={(v) => filters.set("to", v)}
        />
        <TenantField value={filters.draft.tenant} onChange={(v) => filters.set("tenant", v)} />
      </FilterForm>
      {fallback ? (
        <Notice>{query.userId ? t("deliveries.fallback") : t("deliveries.needUser")}</Notice>
      ) : null}
      {fallback && !query.userId ? null : (
        <section className="card" aria-label={t("deliveries.title")}>
          <Loading loaded={shown.first}>
            {() =>
              items.length === 0 ? (
                <p>{t("common.noResults")}</p>
              ) : (
                <>
                  <p className="muted" role="status">
                    {t("common.results", { count: items.length })}
                  </p>
                  <DeliveryTable items={items} showTenant={showTenant} />
                  {shown.hasMore ? (
                    <button type="button" onClick={shown.loadMore} disabled={shown.loadingMore}>
                      {t("common.loadMore")}
                    </button>
                  ) : null}
                </>
              )
            }
          </Loading>
        </section>
      )}
    </Page>
  );
}
