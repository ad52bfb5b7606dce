import type { MessageKey } from "../../../platform/i18n";
import { Csrf, Notice, TextField } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ApprovalCode, PendingRequest } from "../approvals";
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
  const err = (f: string) => form.errors.find((e) => e.field === f)?.message;
  const H = props.headingLevel === 2 ? "h2" : "h3";
  if (rows.length === 0) return <p id="pending-none">{t("ap.none")}</p>;
  return (
    <div id="pending-requests">
      {rows.map((r) => {
        const role = t(`id.role.${r.role}` as MessageKey);
        const who = t("ap.for", { role, name: r.grantee });
        const fieldId = reasonFieldId(r.id);
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
            {r.blocked === "own_request" ? (
              <>
                <p class="notice">{t("ap.blocked.own_request")}</p>
                <form method="post" action={`${props.base(r.id)}/withdraw`}>
                  <Csrf ctx={ctx} />
                  <button type="submit" class="secondary">
                    {t("ap.withdraw")}
                    <span class="visually-hidden"> {who}</span>
                  </button>
                </form>
              </>
            ) : r.blocked ? (
              <p class="notice">{t(`ap.blocked.${r.blocked}` as MessageKey)}</p>
            ) : (
              <>
                <form method="post" action={`${props.base(r.id)}/approve`}>
                  <Csrf ctx={ctx} />
                  <button type="submit">
                    {t("ap.approve")}
                    <span class="visually-hidden"> {who}</span>
                  </button>
                </form>
                <form method="post" action={`${props.base(r.id)}/refuse`} novalidate>
                  <Csrf ctx={ctx} />
                  <TextField id={fieldId} name="reason" label={t("ap.reason")} hint={t("ap.reason.hint")} multiline rows={2} maxLength={REFUSAL_REASON_MAX} value={form.reasons[r.id] ?? ""} error={err(fieldId)} />
                  <button type="submit" class="warning">
                    {t("ap.refuse")}
                    <span class="visually-hidden"> {who}</span>
                  </button>
                </form>
              </>
            )}
          </section>
        );
      })}
    </div>
  );
}

export function DecisionNotice(props: { ctx: ViewContext; form: DecisionForm }) {
  return props.form.done ? <Notice>{props.ctx.t(`ap.done.${props.form.done}`)}</Notice> : null;
}

/** /admin/approvals: every pending request; the administrator's own are shown without the buttons. */
export function ApprovalsPage(props: { ctx: ViewContext; rows: PendingView[]; form: DecisionForm }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("ap.title")}>
      <ErrorSummary ctx={ctx} errors={props.form.errors} />
      <DecisionNotice ctx={ctx} form={props.form} />
      <h1>{t("ap.title")}</h1>
      <p class="lead">{t("ap.intro")}</p>
      <PendingRequests ctx={ctx} rows={props.rows} form={props.form} base={(id) => `/admin/approvals/${id}`} showLivc headingLevel={2} />
    </Layout>
  );
}
