import { CHANNELS, type DeadLetter, type DeadLetterPage, DLQ_STATUSES, DOMAINS } from "../api/types";
import { usePages } from "../api/use-api";
import { DlqBadge } from "../components/badges";
import { FilterForm, SelectField, TenantField, TextField } from "../components/fields";
import { Loading } from "../components/notice";
import { Page } from "../components/page";
import { RetryAllButton } from "../components/retry-all";
import { useI18n } from "../i18n/i18n";
import { present, useUrlFilters } from "../lib/filters";
import { Link, navigate } from "../router/router";
import { useClaims } from "../session/session";
import { deadLetterHref } from "./timeline";

const KEYS = [
  "domain",
  "channel",
  "status",
  "error",
  "errorCode",
  "eventId",
  "from",
  "to",
  "tenant",
] as const;

function Totals({ page }: { page: DeadLetterPage }) {
  const { t, formatNumber } = useI18n();
  const total = page.totals.reduce((sum, row) => sum + row.count, 0);
  return (
    <p data-field="total">
      <strong>{t("dlq.total", { count: formatNumber(total) })}</strong>{" "}
      <span className="muted">
        {page.totals
          .map((row) => `${row.domain}${row.channel ? `/${row.channel}` : ""}: ${row.count}`)
          .join(", ")}
      </span>
    </p>
  );
}

function LetterTable({ items, showTenant }: { items: DeadLetter[]; showTenant: boolean }) {
  const { t, formatDateTime } = useI18n();
  return (
    <div className="table-wrap">
      <table data-table="dead-letters" className="rows-clickable">
        <thead>
          <tr>
            <th scope="col">{t("dlq.id")}</th>
            <th scope="col">{t("dlq.failedAt")}</th>
            {showTenant ? <th scope="col">{t("common.tenant")}</th> : null}
            <th scope="col">{t("common.domain")}</th>
            <th scope="col">{t("common.channel")}</th>
            <th scope="col">{t("common.errorCode")}</th>
            <th scope="col">{t("common.error")}</th>
            <th scope="col">{t("common.status")}</th>
            <th scope="col">{t("dlq.replays")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((letter) => (
            <tr
              key={letter.id}
              data-dead-letter={letter.id}
              onClick={(event) => {
                if (!(event.target as HTMLElement).closest("a, button")) navigate(deadLetterHref(letter.id));
              }}
            >
              <td>
                <Link to={deadLetterHref(letter.id)}>{letter.id}</Link>
              </td>
              <td>{formatDateTime(letter.failedAt)}</td>
              {showTenant ? <td>{letter.tenantId ?? t("common.none")}</td> : null}
              <td>{letter.domain}</td>
              <td>{letter.channel ?? t("common.none")}</td>
              <td>{letter.errorCode ?? t("common.none")}</td>
              <td className="wrap clamp">{letter.errorMessage}</td>
              <td>
                <DlqBadge status={letter.status} />
              </td>
              <td>{letter.replayCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DeadLettersPage() {
  const { t } = useI18n();
  const claims = useClaims();
  const filters = useUrlFilters(KEYS, ["from", "to"]);
  const query = present(filters.applied);
  const list = usePages<DeadLetter>("/api/v1/admin/dlq", { ...query, limit: "50" });
  const { status: _status, ...retryFilters } = query;
  const showTenant = claims.role === "operator";
  return (
    <Page title={t("dlq.title")} actions={<RetryAllButton filters={retryFilters} onDone={list.reload} />}>
      <FilterForm
        onSubmit={() => filters.apply()}
        submitLabel={t("common.search")}
        clearTo={<Link to={filters.clearHref}>{t("common.clear")}</Link>}
      >
        <SelectField
          label={t("common.domain")}
          name="domain"
          value={filters.draft.domain}
          onChange={(v) => filters.set("domain", v)}
          options={DOMAINS.map((domain) => ({ value: domain, label: domain }))}
          any
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
          options={DLQ_STATUSES.map((status) => ({ value: status, label: t(`dlq.status.${status}`) }))}
          any
        />
        <TextField
          label={t("common.error")}
          name="error"
          value={filters.draft.error}
          onChange={(v) => filters.set("error", v)}
        />
        <TextField
          label={t("common.errorCode")}
          name="errorCode"
          value={filters.draft.errorCode}
          onChange={(v) => filters.set("errorCode", v)}
        />
        <TextField
          label={t("common.eventId")}
          name="eventId"
          value={filters.draft.eventId}
          onChange={(v) => filters.set("eventId", v)}
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
      <section className="card" aria-label={t("dlq.title")}>
        <Loading loaded={list.first}>
          {(first) => (
            <>
              <Totals page={first as DeadLetterPage} />
              {list.items.length === 0 ? (
                <p>{t("common.noResults")}</p>
              ) : (
                <LetterTable items={list.items} showTenant={showTenant} />
              )}
              {list.hasMore ? (
                <button type="button" onClick={list.loadMore} disabled={list.loadingMore}>
                  {t("common.loadMore")}
                </button>
              ) : null}
            </>
          )}
        </Loading>
      </section>
    </Page>
  );
}
