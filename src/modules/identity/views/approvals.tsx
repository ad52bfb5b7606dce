import type { MessageKey } from "../../../platform/i18n";
import { Csrf, Notice, TextField } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ApprovalCode, PendingRequest } from "../approvals";
import type { PendingPlatformRequest } from "../platform-approvals";
import { REFUSAL_REASON_MAX } from "../approvals";

/** One pending request as a list shows it: the LIVC by name, and why this viewer may not decide (if so). */
export interface PendingView extends PendingRequest {
  livc: string;
  /** null: this viewer may approve or refuse; else the reason the buttons are not shown. */
  blocked: ApprovalCode | null;
}

export interface DecisionForm {
  errors: { field: string; message: string }[];
  /** Typed refusal reasons per request id, kept after a refusal of the form. */
  reasons: Record<string, string>;
  done?: "approved" | "refused" | "withdrawn";
}

export const reasonFieldId = (id: string) => `reason-${id}`;
export const DONE = ["approved", "refused", "withdrawn"] as const;

/**
 * The pending requests with, per request, Approve and Refuse (reason required) for those who may
 * decide, or a plain explanation instead (own request: withdraw; a role for oneself). Plain POST
 * forms: no JavaScript needed. base(id) is the path the forms post to (…/approve, …/refuse, …/withdraw).
 */
export function PendingRequests(props: { ctx: ViewContext; rows: PendingView[]; form: DecisionForm; base: (id: string) => string; showLivc: boolean; headingLevel: 2 | 3 }) {
  const { ctx, rows, form } = props;
  const { t } = ctx;
  const H = props.headingLevel === 2 ? "h2" : "h3";
  if (rows.length === 0) return <p id="pending-none">{t("ap.none")}</p>;
  return (
    <div id="pending-requests">
      {rows.map((r) => {
        const role = t(`id.role.${r.role}` as MessageKey);
        const who = t("ap.for", { role, name: r.grantee });
        return (
          <section id={`request-${r.id}`} aria-labelledby={`request-${r.id}-title`}>
            <H id={`request-${r.id}-title`}>{who}</H>
            <dl class="summary">
              {props.showLivc ? (
                <>
                  <dt>{t("ap.col.livc")}</dt>
                  <dd>{r.livc}</dd>
                </>
              ) : null}
              <dt>{t("ap.col.role")}</dt>
              <dd>{role}</dd>
              <dt>{t("ap.col.organisation")}</dt>
              <dd>{r.organisation ?? "-"}</dd>
              <dt>{t("ap.col.period")}</dt>
              <dd>{r.validTo ? t("ap.period.to", { from: ctx.date(r.validFrom), to: ctx.date(r.validTo) }) : t("ap.period.open", { from: ctx.date(r.validFrom) })}</dd>
              <dt>{t("ap.col.requester")}</dt>
              <dd>{t("ap.requested", { name: r.requester, at: ctx.date(r.requestedAt.slice(0, 10)) })}</dd>
            </dl>
            <DecisionControls ctx={ctx} id={r.id} who={who} blocked={r.blocked} base={props.base(r.id)} form={form} />
          </section>
        );
      })}
    </div>
  );
}

/** Approve and Refuse (reason required) for one who may decide; else why not, and Withdraw for the requester. base: the request's path. */
export function DecisionControls(props: { ctx: ViewContext; id: string; who: string; blocked: ApprovalCode | null; base: string; form: DecisionForm }) {
  return props.blocked === "own_request" ? (
      <>
        <p class="notice">{props.ctx.t("ap.blocked.own_request")}</p>
        <form method="post" action={`${props.base}/withdraw`}>
          <Csrf ctx={props.ctx} />
          <button type="submit" class="secondary">
            {props.ctx.t("ap.withdraw")}
            <span class="visually-hidden"> {props.who}</span>
          </button>
        </form>
      </>
    ) : props.blocked ? (
      <p class="notice">{props.ctx.t(`ap.blocked.${props.blocked}` as MessageKey)}</p>
    ) : (
      <>
        <form method="post" action={`${props.base}/approve`}>
          <Csrf ctx={props.ctx} />
          <button type="submit">
            {props.ctx.t("ap.approve")}
            <span class="visually-hidden"> {props.who}</span>
          </button>
        </form>
        <form method="post" action={`${props.base}/refuse`} novalidate>
          <Csrf ctx={props.ctx} />
          <TextField id={reasonFieldId(props.id)} name="reason" label={props.ctx.t("ap.reason")} hint={props.ctx.t("ap.reason.hint")} multiline rows={2} maxLength={REFUSAL_REASON_MAX} value={props.form.reasons[props.id] ?? ""} error={props.form.errors.find((e) => e.field === reasonFieldId(props.id))?.message} />
          <button type="submit" class="warning">
            {props.ctx.t("ap.refuse")}
            <span class="visually-hidden"> {props.who}</span>
          </button>
        </form>
      </>
    );
}

/** A pending platform-role request (decision 0049, amended) as /admin/approvals shows it. */
export interface PlatformPendingView extends PendingPlatformRequest {
  blocked: ApprovalCode | null;
}

/** The platform-role requests (admin, dpo): administrators decide; with one administrator nobody can, and the page says so. */
export function PlatformRequests(props: { ctx: ViewContext; rows: PlatformPendingView[]; form: DecisionForm }) {
  const { ctx, rows } = props;
  const { t } = ctx;
  return (
    <section id="platform-requests" aria-labelledby="platform-requests-title">
      <h2 id="platform-requests-title">{t("ap.platform.title")}</h2>
      <p>{t("ap.platform.intro")}</p>
      {rows.length === 0 ? (
        <p id="platform-pending-none">{t("ap.platform.none")}</p>
      ) : (
        rows.map((r) => {
          const role = t(`id.role.${r.role}` as MessageKey);
          const who = t("ap.for", { role, name: r.grantee });
          return (
            <section id={`request-${r.id}`} aria-labelledby={`request-${r.id}-title`}>
              <h3 id={`request-${r.id}-title`}>{who}</h3>
              <dl class="summary">
                <dt>{t("ap.col.role")}</dt>
                <dd>{role}</dd>
                <dt>{t("ap.col.requester")}</dt>
                <dd>{t("ap.requested", { name: r.requester, at: ctx.date(r.requestedAt.slice(0, 10)) })}</dd>
              </dl>
              <DecisionControls ctx={ctx} id={r.id} who={who} blocked={r.blocked} base={`/admin/approvals/platform/${r.id}`} form={props.form} />
            </section>
          );
        })
      )}
    </section>
  );
}

export function DecisionNotice(props: { ctx: ViewContext; form: DecisionForm }) {
  return props.form.done ? <Notice>{props.ctx.t(`ap.done.${props.form.done}`)}</Notice> : null;
}

/** /admin/approvals: every pending request; the administrator's own are shown without the buttons. */
export function ApprovalsPage(props: { ctx: ViewContext; rows: PendingView[]; platformRows: PlatformPendingView[]; form: DecisionForm }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("ap.title")}>
      <ErrorSummary ctx={ctx} errors={props.form.errors} />
      <DecisionNotice ctx={ctx} form={props.form} />
      <h1>{t("ap.title")}</h1>
      <p class="lead">{t("ap.intro")}</p>
      <PendingRequests ctx={ctx} rows={props.rows} form={props.form} base={(id) => `/admin/approvals/${id}`} showLivc headingLevel={2} />
      <PlatformRequests ctx={ctx} rows={props.platformRows} form={props.form} />
    </Layout>
  );
}
