import { type ReactNode, useState } from "react";
import type { DeadLetterDetail } from "../api/types";
import { useApi } from "../api/use-api";
import { AuditTable } from "../components/audit-table";
import { DlqBadge } from "../components/badges";
import { timelineHref } from "../components/delivery-table";
import { DiscardButton } from "../components/discard-button";
import { Loading, Notice } from "../components/notice";
import { Page, Section } from "../components/page";
import { RetryButton } from "../components/retry-button";
import { useI18n } from "../i18n/i18n";
import { describePayload } from "../lib/payload";
import { Link } from "../router/router";
import { useSession } from "../session/session";
import { deadLetterHref } from "./timeline";

/** While a replay is under way, its outcome (RESOLVED, or a new dead letter) is looked for. */
const WAITING_MS = 1_000;

function PayloadView({ letter }: { letter: DeadLetterDetail }) {
  const { t } = useI18n();
  const payload = describePayload(letter.value, letter.valueEncoding);
  if (payload.kind === "none") return <p>{t("detail.payload.none")}</p>;
  const text = payload.kind === "binary" ? payload.base64 : payload.text;
  const note =
    payload.kind === "json"
      ? t("detail.payload.json")
      : payload.kind === "text"
        ? t("detail.payload.text")
        : t("detail.payload.binary", { bytes: payload.bytes });
  // Text, never markup: React escapes it, and <pre> keeps its spaces and line breaks.
  return (
    <>
      <p className="muted" data-payload-kind={payload.kind}>
        {note}
        {payload.truncated ? " …" : ""}
      </p>
      {/* Scrollable, hence keyboard-focusable in browsers that make scrollers so (Chromium). */}
      <pre className="payload" data-payload="">
        {text}
      </pre>
    </>
  );
}

/** The stored value as bytes (the original, for a record too large to dead-letter whole). */
function DownloadOriginal({ id }: { id: string }) {
  const { t } = useI18n();
  const { token } = useSession();
  const [problem, setProblem] = useState<string | undefined>();
  const download = async () => {
    setProblem(undefined);
    const response = await fetch(`/api/v1/admin/dlq/${encodeURIComponent(id)}/original`, {
      headers: { authorization: `Bearer ${token ?? ""}` },
      credentials: "omit",
    }).catch(() => undefined);
    if (!response?.ok) {
      const body = (await response?.json().catch(() => undefined)) as { detail?: string } | undefined;
      setProblem(body?.detail ?? String(response?.status ?? "network"));
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `dead-letter-${id}.bin`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <>
      <button type="button" onClick={() => void download()}>
        {t("detail.download")}
      </button>
      {problem ? <Notice kind="error">{t("common.failed", { detail: problem })}</Notice> : null}
    </>
  );
}

function Fields({ letter }: { letter: DeadLetterDetail }) {
  const { t, formatDateTime } = useI18n();
  const none = t("common.none");
  const rows: Array<[string, ReactNode, string?]> = [
    [t("common.status"), <DlqBadge key="status" status={letter.status} />, "status"],
    [t("common.tenant"), letter.tenantId ?? none],
    [t("common.domain"), letter.domain],
    [t("common.channel"), letter.channel ?? none],
    [t("common.eventId"), letter.eventId ? <code key="event">{letter.eventId}</code> : none],
    [
      t("detail.notification"),
      letter.notificationId ? (
        <Link key="notification" to={timelineHref(letter.notificationId, letter.tenantId ?? undefined)}>
          <code>{letter.notificationId}</code>
        </Link>
      ) : (
        none
      ),
      "notification",
    ],
    [t("common.errorCode"), letter.errorCode ?? none],
    [
      t("detail.message"),
      <span key="message" className="wrap">
        {letter.errorMessage}
      </span>,
    ],
    [t("detail.retryCount"), String(letter.retryCount)],
    [t("dlq.failedAt"), formatDateTime(letter.failedAt)],
    [t("dlq.replays"), String(letter.replayCount), "replayCount"],
    [t("detail.lastReplayedAt"), formatDateTime(letter.lastReplayedAt)],
    [
      t("detail.resolved"),
      letter.resolvedAt
        ? t("detail.resolvedBy", { by: letter.resolvedBy ?? none, at: formatDateTime(letter.resolvedAt) })
        : none,
    ],
    [t("detail.discardReason"), letter.discardReason ?? none],
    [
      t("detail.replayOf"),
      letter.replayOf ? (
        <Link key="replayOf" to={deadLetterHref(letter.replayOf)}>
          {letter.replayOf}
        </Link>
      ) : (
        none
      ),
    ],
    [
      t("detail.replayedInto"),
      letter.replayedInto.length > 0
        ? letter.replayedInto.map((child) => (
            <Link key={child} to={deadLetterHref(child)} className="chip">
              {child}
            </Link>
          ))
        : none,
    ],
    [
      t("detail.original"),
      t("detail.position", {
        topic: letter.originalTopic,
        partition: letter.originalPartition ?? "?",
        offset: letter.originalOffset ?? "?",
      }),
    ],
    [
      t("detail.dlqRecord"),
      t("detail.position", {
        topic: letter.dlqTopic,
        partition: letter.dlqPartition,
        offset: letter.dlqOffset,
      }),
    ],
    [t("detail.key"), letter.key === null ? none : <code key="key">{letter.key}</code>],
  ];
  return (
    <dl className="fields">
      {rows.map(([label, value, field]) => (
        <div key={label} data-field={field}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function DeadLetterPage({ id }: { id: string }) {
  const { t } = useI18n();
  const detail = useApi<DeadLetterDetail>(
    `/api/v1/admin/dlq/${encodeURIComponent(id)}`,
    {},
    {
      pollMs: (data) => (data.status === "REPLAYED" ? WAITING_MS : undefined),
    },
  );
  return (
    <Page
      title={t("detail.title", { id })}
      actions={
        detail.state === "ok" ? (
          <>
            <RetryButton letter={detail.data} onRetried={detail.reload} />
            <DiscardButton letter={detail.data} onDiscarded={detail.reload} />
          </>
        ) : null
      }
    >
      {detail.state === "error" && detail.problem.status === 404 ? (
        <p className="notice notice-muted">{t("detail.notFound")}</p>
      ) : (
        <Loading loaded={detail}>
          {(letter) => (
            <>
              <Section title={t("detail.fields")} id="fields">
                <Fields letter={letter} />
              </Section>
              <Section title={t("detail.payload")} id="payload">
                <PayloadView letter={letter} />
                <DownloadOriginal id={letter.id} />
              </Section>
              <Section title={t("detail.headers")} id="headers">
                <div className="table-wrap">
                  <table data-table="headers">
                    <thead>
                      <tr>
                        <th scope="col">{t("detail.header")}</th>
                        <th scope="col">{t("detail.value")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {Object.entries(letter.headers)
                        .sort(([a], [b]) => a.localeCompare(b, "en", { sensitivity: "base" }))
                        .map(([name, value]) => (
                          <tr key={name}>
                            <th scope="row">
                              <code>{name}</code>
                            </th>
                            <td className="wrap">{value}</td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </div>
              </Section>
              <Section title={t("detail.audit")} id="audit">
                <AuditTable audit={letter.audit} />
              </Section>
            </>
          )}
        </Loading>
      )}
    </Page>
  );
}
