import { ScrollRegion } from "../../../platform/web/fields";
import { Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ReporterView, Routing } from "../service";
import type { ReporterStatus } from "../workflow";
import { k } from "./common";

const statusLabel = (ctx: ViewContext, s: ReporterStatus) => ctx.t(k(`intake.status.${s}`));

export function MyReportsPage(props: {
  ctx: ViewContext;
  reports: { reference: string; draft: boolean; status: ReporterStatus | null; createdAt: string; submittedAt: string | null }[];
  /** Just discarded a draft (decision 0053). */
  discarded?: boolean;
}) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("intake.mine.title")}>
      {props.discarded ? (
        <p class="notice success" role="status">
          {t("lc.discard.done")}
        </p>
      ) : null}
      <h1>{t("intake.mine.title")}</h1>
      <p class="lead">{t("intake.mine.lead")}</p>
      <p>
        <a class="button" href="/reports/new">
          {t("intake.mine.new")}
        </a>
      </p>
      {props.reports.length === 0 ? (
        <p>{t("intake.mine.none")}</p>
      ) : (
        <ScrollRegion label={t("intake.mine.title")}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t("intake.mine.reference")}</th>
                <th scope="col">{t("intake.mine.created")}</th>
                <th scope="col">{t("intake.mine.status")}</th>
              </tr>
            </thead>
            <tbody>
              {props.reports.map((r) => (
                <tr>
                  <td>
                    <a href={r.draft ? `/reports/${r.reference}/edit` : `/reports/${r.reference}`}>{r.reference}</a>
                  </td>
                  <td>{ctx.date(r.submittedAt ?? r.createdAt)}</td>
                  <td>{r.draft || !r.status ? <span class="tag grey">{t("intake.mine.draft")}</span> : statusLabel(ctx, r.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Layout>
  );
}

export function ReceivedPage(props: { ctx: ViewContext; reference: string; routing: Routing; dangerNow: boolean; minor: boolean }) {
  const { ctx, routing } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("intake.received.title")}>
      {props.dangerNow ? (
        <div class="notice warning" role="alert">
          <p>
            <strong>{t("intake.received.danger")}</strong>
          </p>
        </div>
      ) : null}
      <h1>{t("intake.received.title")}</h1>
      <p class="notice success">
        {t("intake.received.reference")} <strong id="reference">{props.reference}</strong>
      </p>
      <p>{t("intake.received.keep")}</p>
      <p>
        {routing.kind === "livc"
          ? t("intake.received.livc", { livc: routing.livcName })
          : t("intake.received.regional", { municipality: routing.municipality, province: routing.province })}
      </p>
      {props.minor ? <p>{t("intake.received.minor")}</p> : null}
      <p>
        <a href={`/reports/${props.reference}`}>{t("intake.received.status_link")}</a>
      </p>
    </Layout>
  );
}

const DONE: Record<string, string> = { supplement: "sup.done", withdrawn: "sup.withdraw.done", withdrawn_purged: "sup.withdraw.done.purged" };

/**
 * The status page: the reference, the status word and its dates, when the reporter added
 * information (dates only), and the two things the reporter may still do (decision 0048).
 */
export function StatusPage(props: { ctx: ViewContext; view: ReporterView; done?: string }) {
  const { ctx, view } = props;
  const { t } = ctx;
  const notice = props.done ? DONE[props.done] : undefined;
  const lines = [...view.history.map((h) => ({ at: h.at, text: statusLabel(ctx, h.status) })), ...view.supplements.map((at) => ({ at, text: t("sup.history.added") })), ...view.passedOn.map((at) => ({ at, text: t("scase.reporter.passed_on") }))].sort((a, b) =>
    a.at.localeCompare(b.at),
  );
  return (
    <Layout ctx={ctx} title={t("intake.status.title", { reference: view.reference })}>
      {notice ? (
        <p class="notice success" role="status">
          {t(k(notice))}
        </p>
      ) : null}
      <h1>{t("intake.status.title", { reference: view.reference })}</h1>
      <dl class="summary-list">
        <div>
          <dt>{t("intake.status.current")}</dt>
          <dd>
            <strong id="status">{statusLabel(ctx, view.status)}</strong>
          </dd>
        </div>
        <div>
          <dt>{t("intake.status.submitted")}</dt>
          <dd>{ctx.date(view.submittedAt)}</dd>
        </div>
        {view.passedOn.length > 0 ? (
          <div>
            <dt>{t("scase.reporter.passed_on")}</dt>
            <dd id="passed-on">{ctx.date(view.passedOn.at(-1)!)}</dd>
          </div>
        ) : null}
        {view.withdrawnReason ? (
          <div>
            <dt>{t("sup.withdrawn.reason")}</dt>
            <dd id="withdrawn-reason">{t(k(`sup.withdraw.reason.${view.withdrawnReason}`))}</dd>
          </div>
        ) : null}
      </dl>
      <h2>{t("intake.status.history")}</h2>
      <ol>
        {lines.map((l) => (
          <li>
            {ctx.date(l.at)}: {l.text}
          </li>
        ))}
      </ol>
      {view.maySupplement || view.mayWithdraw ? (
        <ul class="actions">
          {view.maySupplement ? (
            <li>
              <a href={`/reports/${view.reference}/supplement`}>{t("sup.link.add")}</a>
            </li>
          ) : null}
          {view.mayWithdraw ? (
            <li>
              <a href={`/reports/${view.reference}/withdraw`}>{t("sup.link.withdraw")}</a>
            </li>
          ) : null}
        </ul>
      ) : null}
      <p class="hint">{t("intake.status.only")}</p>
    </Layout>
  );
}
