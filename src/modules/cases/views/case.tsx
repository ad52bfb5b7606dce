import type { MessageKey } from "../../../platform/i18n";
import { ScrollRegion } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ActionView, CaseView, TimelineEntry } from "../service";
import { CASE_TRANSITIONS, CLOSURE_REASONS } from "../workflow";
import { ButtonForm, Csrf, type Errors, Input, Notice, Select } from "./fields";
import { statusKey } from "./list";

export interface CasePageProps {
  ctx: ViewContext;
  c: CaseView;
  actions: ActionView[];
  timeline: TimelineEntry[];
  minutes: { consultationId: string; heldOn: string; decisions: string | null; nextReviewOn: string | null }[];
  feedback: { id: string; status: string; createdAt: string }[];
  consultations: { id: string; heldOn: string }[];
  /** Names of the organisations on the page (choices and owners of existing actions). */
  organisations: { id: string; name: string }[];
  /** The action owner choices (decision 0061: organisations that can see the case) and the typed value. */
  ownerOptions: { id: string; name: string }[];
  /** Open actions whose owner cannot see the case (shown to the leads only, so they reassign them). */
  noAccess?: string[];
  errors: Errors;
  values: Record<string, string>;
  notice?: string;
}

export function CasePage(props: CasePageProps) {
  const { ctx, c, errors, values } = props;
  const { t } = ctx;
  const orgName = new Map(props.organisations.map((o) => [o.id, o.name]));
  const errorList = Object.entries(errors).map(([field, message]) => ({ field, message }));
  const noAccess = new Set(props.noAccess ?? []);
  return (
    <Layout ctx={ctx} title={c.label} wide>
      <ErrorSummary ctx={ctx} errors={errorList} />
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      <h1>{c.label}</h1>
      <p>
        <span class="tag">{t(statusKey(c.status))}</span>
      </p>
      <dl class="summary-list">
        <dt>{t("case.col.opened")}</dt>
        <dd>{ctx.date(c.openedOn)}</dd>
        <dt>{t("case.detail.minor")}</dt>
        <dd>{c.minor ? t("case.detail.yes") : t("case.detail.no")}</dd>
        {c.closedOn ? (
          <>
            <dt>{t("case.col.closed")}</dt>
            <dd>{ctx.date(c.closedOn)}</dd>
            <dt>{t("case.detail.closure")}</dt>
            <dd>{c.closureReason ? t(`case.reason.${c.closureReason}` as MessageKey) : ""}</dd>
          </>
        ) : null}
        {c.closureNote ? (
          <>
            <dt>{t("case.detail.closure_note")}</dt>
            <dd>{c.closureNote}</dd>
          </>
        ) : null}
        {c.nextReviewOn ? (
          <>
            <dt>{t("case.col.review")}</dt>
            <dd>{ctx.date(c.nextReviewOn)}</dd>
          </>
        ) : null}
        {c.retentionUntil ? (
          <>
            <dt>{t("case.detail.retention")}</dt>
            <dd>{ctx.date(c.retentionUntil)}</dd>
          </>
        ) : null}
      </dl>

      <h2>{t("case.detail.identity")}</h2>
      {c.identity ? (
        <dl class="summary-list">
          <dt>{t("case.detail.name")}</dt>
          <dd>{c.identity.fullName}</dd>
          <dt>{t("case.detail.dob")}</dt>
          <dd>{c.identity.dateOfBirth ? ctx.date(c.identity.dateOfBirth) : ""}</dd>
        </dl>
      ) : (
        <p>{t("case.detail.identity.none")}</p>
      )}
      {c.may.managePlan && !c.purged ? (
        <p>
          <a href={`/cases/${c.id}/identity`}>{t("rect.link")}</a>
        </p>
      ) : null}

      {c.transitions.length > 0 ? (
        <section aria-labelledby="status-title">
          <h2 id="status-title">{t("case.status.title")}</h2>
          {c.transitions.map((tr) =>
            CASE_TRANSITIONS[tr].needsReason ? (
              <form method="post" action={`/cases/${c.id}/transition`}>
                <Csrf ctx={ctx} />
                <input type="hidden" name="transition" value={tr} />
                {tr === "close" ? (
                  <Select id="reason" label={t("case.reason")} value={values.reason} error={errors.reason} placeholder="" options={CLOSURE_REASONS.map((r) => ({ value: r, label: t(`case.reason.${r}` as MessageKey) }))} />
                ) : (
                  <Input id={`reason-${tr}`} name="reason" label={t("case.reason")} hint={t("case.reason.hint")} error={errors[`reason-${tr}`]} maxLength={500} />
                )}
                {tr === "close" ? <Input id="note" label={t("case.note")} value={values.note} multiline maxLength={1000} /> : null}
                <button type="submit" class="button">
                  {t(`case.t.${tr}` as MessageKey)}
                </button>
              </form>
            ) : (
              <ButtonForm ctx={ctx} action={`/cases/${c.id}/transition`} label={t(`case.t.${tr}` as MessageKey)} fields={{ transition: tr }} secondary />
            ),
          )}
        </section>
      ) : null}

      <section aria-labelledby="plan-title">
        <h2 id="plan-title">{t("case.plan.title")}</h2>
        {noAccess.size > 0 ? <Notice>{t("case.plan.orphans", { count: noAccess.size })}</Notice> : null}
        {props.actions.length === 0 ? (
          <p>{t("case.plan.none")}</p>
        ) : (
          // A sideways scroll of its own: the plan does not push a 360 px screen (WCAG 1.4.10).
          <ScrollRegion label={t("case.plan.title")}>
          <table class="table">
            <caption class="visually-hidden">{t("case.plan.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("case.plan.description")}</th>
                <th scope="col">{t("case.plan.owner")}</th>
                <th scope="col">{t("case.plan.due")}</th>
                <th scope="col">{t("case.plan.status")}</th>
              </tr>
            </thead>
            <tbody>
              {props.actions.map((a) => (
                <tr>
                  <td>{a.description ?? t("case.plan.hidden")}</td>
                  <td>
                    {orgName.get(a.ownerOrganisationId) ?? ""} {noAccess.has(a.id) ? <span class="tag red">{t("case.plan.owner_no_access")}</span> : null}
                  </td>
                  <td>
                    {ctx.date(a.dueOn)} {a.overdue ? <span class="tag red">{t("case.plan.overdue")}</span> : null}
                  </td>
                  <td>
                    {t(`case.plan.status.${a.status}` as MessageKey)}{" "}
                    {a.status === "open" && a.mayUpdate ? <ButtonForm ctx={ctx} action={`/cases/actions/${a.id}`} label={t("case.plan.done")} fields={{ status: "done" }} secondary /> : null}
                    {a.mayEdit ? (
                      <a href={`/cases/actions/${a.id}/edit`}>
                        {t("case.plan.edit")}
                        <span class="visually-hidden">: {a.description ?? t("case.plan.hidden")}</span>
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </ScrollRegion>
        )}
        {c.may.managePlan && (c.status === "active" || c.status === "in_follow_up") ? (
          <form method="post" action={`/cases/${c.id}/actions`}>
            <Csrf ctx={ctx} />
            <h3>{t("case.plan.add")}</h3>
            <Input id="description" label={t("case.plan.description")} value={values.description} maxLength={500} />
            <Select id="owner" label={t("case.plan.owner")} hint={t("case.plan.owner_hint")} value={values.owner} error={errors.owner} placeholder="" options={props.ownerOptions.map((o) => ({ value: o.id, label: o.name }))} />
            <Input id="due_on" label={t("case.plan.due")} value={values.due_on} error={errors.due_on} />
            <button type="submit" class="button">
              {t("case.plan.add")}
            </button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="minutes-title">
        <h2 id="minutes-title">{t("case.minutes.title")}</h2>
        {props.minutes.length === 0 ? (
          <p>{t("case.minutes.none")}</p>
        ) : (
          <ul>
            {props.minutes.map((m) => (
              <li>
                <a href={`/meetings/${m.consultationId}`}>{ctx.date(m.heldOn)}</a>: {m.decisions ?? "—"}
                {m.nextReviewOn ? ` (${t("case.col.review")}: ${ctx.date(m.nextReviewOn)})` : ""}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="fb-title">
        <h2 id="fb-title">{t("case.fb.title")}</h2>
        <p>{t("case.fb.intro")}</p>
        {props.feedback.length === 0 ? (
          <p>{t("case.fb.none")}</p>
        ) : (
          <ul>
            {props.feedback.map((f) => (
              <li>
                <a href={`/feedback/${f.id}`}>{t("case.fb.open", { date: ctx.date(f.createdAt.slice(0, 10)) })}</a> — {t(`case.fb.status.${f.status}` as MessageKey)}
              </li>
            ))}
          </ul>
        )}
        {/* Shown again after a refused consultation (decision 0051), so the summary's link and the typed text stay. */}
        {c.may.draftFeedback && (props.consultations.length > 0 || errors.consultation) ? (
          <form method="post" action={`/cases/${c.id}/feedback`}>
            <Csrf ctx={ctx} />
            <h3>{t("case.fb.new")}</h3>
            <p>{t("case.fb.participants")}</p>
            <Select id="consultation" label={t("case.fb.consultation")} value={values.consultation} error={errors.consultation} placeholder={props.consultations.length === 0 ? "" : undefined} options={props.consultations.map((m) => ({ value: m.id, label: ctx.date(m.heldOn) }))} />
            <Input id="content" label={t("case.fb.content")} hint={t("case.fb.content.hint")} value={values.content} error={errors.content} multiline maxLength={4000} />
            <button type="submit" class="button">
              {t("case.fb.create")}
            </button>
          </form>
        ) : null}
      </section>

      {c.may.legalHold && c.status !== "purged" ? (
        <section aria-labelledby="hold-title">
          <h2 id="hold-title">{t("case.hold.title")}</h2>
          {c.legalHold ? (
            <>
              <p>{t("case.hold.active")}</p>
              <p>{c.legalHoldReason}</p>
              <ButtonForm ctx={ctx} action={`/cases/${c.id}/hold`} label={t("case.hold.lift")} fields={{ reason: "" }} secondary />
            </>
          ) : (
            <form method="post" action={`/cases/${c.id}/hold`}>
              <Csrf ctx={ctx} />
              <Input id="hold_reason" name="reason" label={t("case.hold.reason")} error={errors.hold_reason} maxLength={500} />
              <button type="submit" class="button secondary">
                {t("case.hold.set")}
              </button>
            </form>
          )}
        </section>
      ) : null}

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t("case.timeline.title")}</h2>
        <ol>
          {props.timeline.map((e) => (
            <li>
              {ctx.date(e.at.slice(0, 10))}: {t(`case.ev.${e.kind}` as MessageKey)}
              {e.toStatus && e.kind === "transition" ? ` → ${t(statusKey(e.toStatus))}` : ""}
              {e.note ? ` (${e.note})` : ""}
            </li>
          ))}
        </ol>
      </section>
      {c.may.whoSaw ? (
        <p>
          <a href={`/cases/${c.id}/who-saw`}>{t("case.whosaw.link")}</a>
        </p>
      ) : null}
    </Layout>
  );
}
