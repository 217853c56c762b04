import {
  CHANNELS,
  type Channel,
  type ChannelStats,
  type DailyStats,
  type DlqSummary,
  type Pipeline,
} from "../api/types";
import { useApi } from "../api/use-api";
import { BarChart } from "../components/bar-chart";
import { FilterForm, TenantField, TextField } from "../components/fields";
import { Loading } from "../components/notice";
import { Page, Section } from "../components/page";
import { useI18n } from "../i18n/i18n";
import { present, useUrlFilters } from "../lib/filters";
import { formatAge } from "../lib/time";
import { Link, withQuery } from "../router/router";

const KEYS = ["from", "to", "tenant"] as const;

/** Every date of [from, to] (YYYY-MM-DD, inclusive): days without deliveries are zero, not gaps. */
function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); dates.length <= 366; day.setUTCDate(day.getUTCDate() + 1)) {
    const date = day.toISOString().slice(0, 10);
    if (date > to) break;
    dates.push(date);
  }
  return dates;
}

function DailyCharts({ stats }: { stats: DailyStats }) {
  const { t, formatNumber } = useI18n();
  const dates = datesOf(stats.from, stats.to);
  const count = (date: string, channel: Channel, field: "sentCount" | "failedCount") =>
    stats.days.find((day) => day.date === date && day.channel === channel)?.[field] ?? 0;
  const channels = CHANNELS.filter((channel) => stats.days.some((day) => day.channel === channel));
  return (
    <>
      <p className="muted">{t("overview.range", { from: stats.from, to: stats.to, zone: stats.timeZone })}</p>
      {channels.length === 0 ? <p>{t("overview.daily.empty")}</p> : null}
      <div className="charts">
        {channels.map((channel) => (
          <figure key={channel} className="chart-figure" data-chart={channel}>
            <figcaption>{channel}</figcaption>
            <BarChart
              label={t("overview.daily.chart", { channel })}
              sentLabel={t("overview.sent")}
              failedLabel={t("overview.failed")}
              days={dates.map((date) => ({
                date,
                sent: count(date, channel, "sentCount"),
                failed: count(date, channel, "failedCount"),
              }))}
            />
          </figure>
        ))}
      </div>
      {channels.length > 0 ? (
        <>
          <p className="legend">
            <span className="swatch swatch-sent" aria-hidden="true" /> {t("overview.sent")}{" "}
            <span className="swatch swatch-failed" aria-hidden="true" /> {t("overview.failed")}
          </p>
          <details>
            <summary>{t("overview.daily.table")}</summary>
            <div className="table-wrap">
              <table data-table="daily">
                <thead>
                  <tr>
                    <th scope="col">{t("overview.date")}</th>
                    <th scope="col">{t("common.channel")}</th>
                    <th scope="col">{t("overview.sent")}</th>
                    <th scope="col">{t("overview.failed")}</th>
                    <th scope="col">{t("overview.skipped")}</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.days.map((day) => (
                    <tr key={`${day.date}-${day.channel}`} data-date={day.date} data-channel={day.channel}>
                      <td>{day.date}</td>
                      <td>{day.channel}</td>
                      <td data-field="sentCount">{formatNumber(day.sentCount)}</td>
                      <td data-field="failedCount">{formatNumber(day.failedCount)}</td>
                      <td data-field="skippedCount">{formatNumber(day.skippedCount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : null}
    </>
  );
}

function ChannelTable({ stats }: { stats: ChannelStats }) {
  const { t, formatNumber, formatPercent } = useI18n();
  return (
    <div className="table-wrap">
      <table data-table="channels">
        <thead>
          <tr>
            <th scope="col">{t("common.channel")}</th>
            <th scope="col">{t("overview.sent")}</th>
            <th scope="col">{t("overview.failed")}</th>
            <th scope="col">{t("overview.skipped")}</th>
            <th scope="col">{t("overview.successRate")}</th>
          </tr>
        </thead>
        <tbody>
          {stats.channels.map((row) => (
            <tr key={row.channel} data-channel={row.channel}>
              <th scope="row">{row.channel}</th>
              <td data-field="sentCount">{formatNumber(row.sentCount)}</td>
              <td data-field="failedCount">{formatNumber(row.failedCount)}</td>
              <td data-field="skippedCount">{formatNumber(row.skippedCount)}</td>
              <td data-field="successRate">
                <meter min={0} max={1} value={row.successRate ?? 0} aria-hidden="true" />{" "}
                {formatPercent(row.successRate)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LagTable({ pipeline }: { pipeline: Pipeline }) {
  const { t, formatNumber } = useI18n();
  return (
    <div className="table-wrap">
      <table data-table="lag">
        <thead>
          <tr>
            <th scope="col">{t("overview.lag.group")}</th>
            <th scope="col">{t("overview.lag.lag")}</th>
            <th scope="col">{t("overview.lag.topics")}</th>
          </tr>
        </thead>
        <tbody>
          {pipeline.consumerGroups.map((group) => (
            <tr key={group.group} data-group={group.group}>
              <th scope="row">{group.group}</th>
              <td data-field="lag">
                {group.lag === null
                  ? t("overview.lag.unknown", { error: group.error ?? "?" })
                  : formatNumber(group.lag)}
              </td>
              <td className="wrap">
                {group.topics
                  .map((topic) => `${topic.topic}: ${topic.lag === null ? "?" : formatNumber(topic.lag)}`)
                  .join(", ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BreakerTable({ pipeline }: { pipeline: Pipeline }) {
  const { t, formatDateTime } = useI18n();
  return (
    <div className="table-wrap">
      <table data-table="breakers">
        <thead>
          <tr>
            <th scope="col">{t("common.channel")}</th>
            <th scope="col">{t("overview.breakers.breaker")}</th>
            <th scope="col">{t("overview.breakers.paused")}</th>
            <th scope="col">{t("overview.breakers.instances")}</th>
            <th scope="col">{t("overview.breakers.reportedAt")}</th>
          </tr>
        </thead>
        <tbody>
          {pipeline.channels.map((channel) => (
            <tr key={channel.channel} data-channel={channel.channel}>
              <th scope="row">{channel.channel}</th>
              <td>
                <span className={`badge badge-breaker-${channel.breaker}`} data-breaker={channel.breaker}>
                  {t(`breaker.${channel.breaker}`)}
                </span>
              </td>
              <td>
                {channel.paused === null
                  ? t("common.none")
                  : channel.paused
                    ? t("common.yes")
                    : t("common.no")}
              </td>
              <td>{channel.instances}</td>
              <td>{formatDateTime(channel.reportedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DlqSummaryView({ summary, tenant }: { summary: DlqSummary; tenant: string }) {
  const { t, locale, formatNumber } = useI18n();
  const age = (iso: string | null) => (iso ? formatAge(iso, locale) : t("common.none"));
  return (
    <>
      <dl className="stats">
        <div>
          <dt>{t("overview.dlq.pending")}</dt>
          <dd data-field="pending">{formatNumber(summary.pending)}</dd>
        </div>
        <div>
          <dt>{t("overview.dlq.oldest")}</dt>
          <dd data-field="oldest">{age(summary.oldestPendingAt)}</dd>
        </div>
      </dl>
      {summary.byDomain.length > 0 ? (
        <div className="table-wrap">
          <table data-table="dlq-domains">
            <thead>
              <tr>
                <th scope="col">{t("common.domain")}</th>
                <th scope="col">{t("overview.dlq.pending")}</th>
                <th scope="col">{t("overview.dlq.oldest")}</th>
              </tr>
            </thead>
            <tbody>
              {summary.byDomain.map((row) => (
                <tr key={row.domain} data-domain={row.domain}>
                  <th scope="row">
                    <Link to={withQuery("/dead-letters", { status: "PENDING", domain: row.domain, tenant })}>
                      {row.domain}
                    </Link>
                  </th>
                  <td data-field="pending">{formatNumber(row.pending)}</td>
                  <td>{age(row.oldestPendingAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p>
        <Link to={withQuery("/dead-letters", { status: "PENDING", tenant })}>{t("overview.dlq.open")}</Link>
      </p>
    </>
  );
}

export function OverviewPage() {
  const { t } = useI18n();
  const filters = useUrlFilters(KEYS);
  const query = present(filters.applied);
  const daily = useApi<DailyStats>("/api/v1/dashboard/delivery", query);
  const channels = useApi<ChannelStats>("/api/v1/dashboard/delivery/channels", query);
  const pipeline = useApi<Pipeline>("/api/v1/dashboard/pipeline", {}, { optional: true });
  const summary = useApi<DlqSummary>(
    "/api/v1/admin/dlq/summary",
    { tenant: query.tenant },
    { optional: { unknownName: "path.id" } },
  );
  return (
    <Page title={t("overview.title")}>
      <FilterForm onSubmit={() => filters.apply()} submitLabel={t("common.apply")}>
        <TextField
          label={t("common.from")}
          name="from"
          type="date"
          value={filters.draft.from}
          onChange={(value) => filters.set("from", value)}
        />
        <TextField
          label={t("common.to")}
          name="to"
          type="date"
          value={filters.draft.to}
          onChange={(value) => filters.set("to", value)}
        />
        <TenantField value={filters.draft.tenant} onChange={(value) => filters.set("tenant", value)} />
      </FilterForm>
      <Section title={t("overview.daily.title")} id="daily">
        <Loading loaded={daily}>{(data) => <DailyCharts stats={data} />}</Loading>
      </Section>
      <Section title={t("overview.channels.title")} id="channels">
        <Loading loaded={channels}>{(data) => <ChannelTable stats={data} />}</Loading>
      </Section>
      <div className="columns">
        <Section title={t("overview.lag.title")} id="lag">
          <Loading loaded={pipeline}>{(data) => <LagTable pipeline={data} />}</Loading>
        </Section>
        <Section title={t("overview.breakers.title")} id="breakers">
          <Loading loaded={pipeline}>{(data) => <BreakerTable pipeline={data} />}</Loading>
        </Section>
      </div>
      <Section title={t("overview.dlq.title")} id="dlq">
        <Loading loaded={summary}>
          {(data) => <DlqSummaryView summary={data} tenant={filters.applied.tenant} />}
        </Loading>
      </Section>
    </Page>
  );
}
