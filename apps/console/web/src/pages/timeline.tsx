import { useCallback, useEffect, useRef } from "react";
import type { DeadLetterDetail, DeadLetterPage, DeliveryTimeline, TimelineStep } from "../api/types";
import { useApi } from "../api/use-api";
import { AuditTable } from "../components/audit-table";
import { DeliveryBadge, DlqBadge } from "../components/badges";
import { Loading } from "../components/notice";
import { Page, Section } from "../components/page";
import { RetryButton } from "../components/retry-button";
import { useI18n } from "../i18n/i18n";
import { Link, useLocation, withQuery } from "../router/router";
import { useClaims } from "../session/session";

/** While an outcome is awaited (a replay under way, a send being retried), look again soon. */
const WAITING_MS = 2_000;

export const deadLetterHref = (id: string) => `/dead-letters/${encodeURIComponent(id)}`;

function Steps({ steps }: { steps: TimelineStep[] }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  return (
    <ol className="timeline" data-list="timeline">
      {steps.map((step, index) => (
        <li
          key={`${step.at}-${index}`}
          data-status={step.status}
          className={index === steps.length - 1 ? "final" : ""}
        >
          <div className="timeline-head">
            <DeliveryBadge status={step.status} />
            <time dateTime={step.at}>{formatDateTime(step.at)}</time>
            {step.attempts !== null ? <span>{t("timeline.attempts", { count: step.attempts })}</span> : null}
            {step.latencyMs !== null ? (
              <span className="muted">
                {t("timeline.latency", { ms: formatNumber(Math.round(step.latencyMs)) })}
              </span>
            ) : null}
            {index === steps.length - 1 ? <span className="muted">({t("timeline.final")})</span> : null}
          </div>
          {step.reasonCode || step.errorMessage ? (
            <p className="timeline-error">
              {[step.reasonCode, step.errorMessage].filter(Boolean).join(": ")}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/**
 * One dead letter of the notification, with its replays, its audit trail and a retry. Once a
 * replay under way settles (RESOLVED, or failed again), the notification is read again: its
 * status has moved too.
 */
function DeadLetterRow({ id, onSettled }: { id: string; onSettled(): void }) {
  const { t, formatDateTime } = useI18n();
  const detail = useApi<DeadLetterDetail>(
    `/api/v1/admin/dlq/${encodeURIComponent(id)}`,
    {},
    {
      pollMs: (data) => (data.status === "REPLAYED" ? WAITING_MS : undefined),
    },
  );
  const status = detail.state === "ok" ? detail.data.status : undefined;
  const previous = useRef(status);
  useEffect(() => {
    if (previous.current === "REPLAYED" && status !== "REPLAYED") onSettled();
    previous.current = status;
  }, [status, onSettled]);
  return (
    <li className="dead-letter" data-dead-letter={id}>
      <Loading loaded={detail}>
        {(letter) => (
          <>
            <div className="dead-letter-head">
              <Link to={deadLetterHref(letter.id)}>{t("detail.title", { id: letter.id })}</Link>
              <DlqBadge status={letter.status} />
              <span className="muted">{formatDateTime(letter.failedAt)}</span>
              <RetryButton
                letter={letter}
                onRetried={() => {
                  detail.reload();
                  onSettled();
                }}
              />
            </div>
            <p className="wrap">{[letter.errorCode, letter.errorMessage].filter(Boolean).join(": ")}</p>
            {letter.replayOf ? (
              <p>
                {t("detail.replayOf")}: <Link to={deadLetterHref(letter.replayOf)}>{letter.replayOf}</Link>
              </p>
            ) : null}
            {letter.replayedInto.length > 0 ? (
              <p>
                {t("detail.replayedInto")}:{" "}
                {letter.replayedInto.map((child) => (
                  <Link key={child} to={deadLetterHref(child)} className="chip">
                    {child}
                  </Link>
                ))}
              </p>
            ) : null}
            <AuditTable audit={letter.audit} caption={t("timeline.audit", { id: letter.id })} />
          </>
        )}
      </Loading>
    </li>
  );
}

function DeadLetters({
  notificationId,
  eventId,
  tenant,
  onSettled,
}: {
  notificationId: string;
  eventId: string;
  tenant?: string;
  onSettled(): void;
}) {
  const { t } = useI18n();
  const byNotification = useApi<DeadLetterPage>(
    "/api/v1/admin/dlq",
    { notificationId, tenant, limit: "20" },
    { optional: { unknownName: "notificationId" } },
  );
  // An older dlq-admin filters by event only: the notification's are among its event's.
  const byEvent = useApi<DeadLetterPage>(
    byNotification.state === "unavailable" ? "/api/v1/admin/dlq" : null,
    { eventId, tenant, limit: "50" },
  );
  const shown = byNotification.state === "unavailable" ? byEvent : byNotification;
  return (
    <Loading loaded={shown}>
      {(page) => {
        const letters = page.items.filter((item) => item.notificationId === notificationId);
        if (letters.length === 0) return <p>{t("timeline.noDeadLetters")}</p>;
        return (
          <ul className="dead-letters">
            {letters.map((letter) => (
              <DeadLetterRow key={letter.id} id={letter.id} onSettled={onSettled} />
            ))}
          </ul>
        );
      }}
    </Loading>
  );
}

export function TimelinePage({ notificationId }: { notificationId: string }) {
  const { t, formatDateTime } = useI18n();
  const claims = useClaims();
  const { query } = useLocation();
  const tenant = claims.role === "operator" ? (query.get("tenant") ?? undefined) : undefined;
  // After a retry here, the notification is read again until it leaves FAILED (the read
  // model and dlq-admin learn the outcome independently, either may be first), for a minute.
  const awaitingUntil = useRef(0);
  const timeline = useApi<DeliveryTimeline>(
    `/api/v1/dashboard/deliveries/${encodeURIComponent(notificationId)}`,
    { tenant },
    {
      pollMs: ({ notification }) =>
        notification.status === "PENDING" ||
        (notification.status === "FAILED" && Date.now() < awaitingUntil.current)
          ? WAITING_MS
          : undefined,
    },
  );
  const { reload } = timeline;
  const awaitOutcome = useCallback(() => {
    awaitingUntil.current = Date.now() + 60_000;
    reload();
  }, [reload]);
  return (
    <Page
      title={`${t("timeline.title")} ${notificationId.slice(0, 12)}`}
      actions={
        <button type="button" onClick={timeline.reload}>
          {t("common.refresh")}
        </button>
      }
    >
      {timeline.state === "error" && timeline.problem.status === 404 ? (
        <p className="notice notice-muted">{t("timeline.notFound", { detail: timeline.problem.detail })}</p>
      ) : (
        <Loading loaded={timeline}>
          {({ notification, timeline: steps }) => (
            <>
              <Section title={t("timeline.summary")} id="summary">
                <dl className="fields" data-notification={notification.notificationId}>
                  <div>
                    <dt>{t("common.notificationId")}</dt>
                    <dd>
                      <code>{notification.notificationId}</code>
                    </dd>
                  </div>
                  <div>
                    <dt>{t("common.status")}</dt>
                    <dd data-field="status">
                      <DeliveryBadge status={notification.status} />
                    </dd>
                  </div>
                  {claims.role === "operator" ? (
                    <div>
                      <dt>{t("common.tenant")}</dt>
                      <dd>{notification.tenantId}</dd>
                    </div>
                  ) : null}
                  <div>
                    <dt>{t("common.user")}</dt>
                    <dd>{notification.userId}</dd>
                  </div>
                  <div>
                    <dt>{t("common.channel")}</dt>
                    <dd>{notification.channel}</dd>
                  </div>
                  <div>
                    <dt>{t("common.eventType")}</dt>
                    <dd>{notification.eventType}</dd>
                  </div>
                  <div>
                    <dt>{t("common.eventId")}</dt>
                    <dd>
                      <Link
                        to={withQuery("/deliveries", { eventId: notification.eventId, tenant })}
                        title={t("timeline.search")}
                      >
                        <code>{notification.eventId}</code>
                      </Link>
                    </dd>
                  </div>
                  <div>
                    <dt>{t("deliveries.recipient")}</dt>
                    <dd className="wrap">{notification.recipient ?? t("common.none")}</dd>
                  </div>
                  <div>
                    <dt>{t("deliveries.attempts")}</dt>
                    <dd>{notification.attempts ?? t("common.none")}</dd>
                  </div>
                  <div>
                    <dt>{t("deliveries.createdAt")}</dt>
                    <dd>{formatDateTime(notification.createdAt)}</dd>
                  </div>
                  <div>
                    <dt>{t("timeline.sentAt")}</dt>
                    <dd>{formatDateTime(notification.sentAt)}</dd>
                  </div>
                  <div>
                    <dt>{t("timeline.statusAt")}</dt>
                    <dd>{formatDateTime(notification.statusAt)}</dd>
                  </div>
                </dl>
              </Section>
              <Section title={t("timeline.steps")} id="steps">
                <Steps steps={steps} />
              </Section>
              <Section title={t("timeline.deadLetters")} id="dead-letters">
                <DeadLetters
                  notificationId={notification.notificationId}
                  eventId={notification.eventId}
                  tenant={tenant ?? (claims.role === "operator" ? notification.tenantId : undefined)}
                  onSettled={awaitOutcome}
                />
              </Section>
            </>
          )}
        </Loading>
      )}
    </Page>
  );
}
