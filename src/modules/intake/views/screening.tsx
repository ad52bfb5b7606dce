import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { MessageKey } from "../../../platform/i18n";
import { HANDOVER_REASONS, type HandoverReason } from "../handover";
import type { ScreeningView } from "../screening";
import { LIMITS } from "../schema";
import { REFERRAL_SERVICES, TRANSITIONS } from "../workflow";
import { Csrf, describedBy, Flags, HintAndError, k } from "./common";

export interface DecisionFormState {
  transition: string;
  reason: string;
  referral_service: string;
  /** The open case chosen for "join_case" (decision 0062). */
  case_id: string;
  error?: { field: "transition" | "reason" | "referral_service" | "case_id"; message: string };
  notice?: string;
}

/** The handover form (decision 0062): the receiving LIVC and a reason code, kept on error. */
export interface HandoverFormState {
  to_livc: string;
  reason: string;
  error?: { field: "to_livc" | "handover_reason"; message: string };
}

/** The screening page: content (read through the personal-data path, audited), duplicates, decision. */
export function ScreeningPage(props: { ctx: ViewContext; view: ScreeningView; base: string; form: DecisionFormState; handover?: HandoverFormState }) {
  const { ctx, view, form } = props;
  const handover = props.handover ?? { to_livc: "", reason: "" };
  const { t } = ctx;
  const r = view.report;
  const c = view.content;
  const title = t("intake.report.title", { reference: r.reference });
  const decisions = view.transitions.filter((x) => TRANSITIONS[x].decision || x === "close");
  const canStart = view.transitions.includes("start_screening");
  const err = (f: string) => (form.error?.field === f ? form.error.message : undefined);
  const action = `${props.base}/${r.id}/decision`;
  return (
    <Layout ctx={ctx} title={title} wide>
      <ErrorSummary ctx={ctx} errors={[form.error, handover.error].filter((e): e is NonNullable<typeof e> => Boolean(e))} />
      {form.notice ? (
        <p class="notice success" role="status">
          {form.notice}
        </p>
      ) : null}
      <h1>{title}</h1>
      {r.status === "withdrawn" ? (
        <p class="notice warning" id="withdrawn">
          {t("sup.screening.withdrawn", { reason: t(k(`sup.withdraw.reason.${r.withdrawn_reason ?? "other"}`)) })}
        </p>
      ) : null}
      <p>
        <Flags ctx={ctx} minor={view.item.minor} dangerNow={view.item.dangerNow} duplicate={view.item.possibleDuplicate} identityUnknown={!view.item.identityKnown} />
      </p>
      <dl>
        <dt>{t("intake.report.livc")}</dt>
        <dd>{view.livcName ?? t("intake.report.regional", { province: r.regional_queue ?? "" })}</dd>
        <dt>{t("intake.report.submitted")}</dt>
        <dd>{ctx.date(r.submitted_at)}</dd>
        <dt>{t("intake.queue.status")}</dt>
        <dd id="current-status">{t(k(`intake.status.${r.status}`))}</dd>
        <dt>{t("intake.queue.due")}</dt>
        <dd>
          {ctx.date(r.screening_due_on)} {view.item.overdue ? <span class="tag red">{t("intake.queue.overdue")}</span> : null}
        </dd>
      </dl>

      {view.duplicates.reports.length + view.duplicates.cases.length > 0 ? (
        <div class="notice warning">
          <h2>{t("intake.report.duplicate.title")}</h2>
          <p>{t("intake.report.duplicate.text")}</p>
          <ul>
            {view.duplicates.reports.map((d) => (
              <li>{d.canOpen ? <a href={`${props.base}/${d.id}`}>{t("intake.report.duplicate.report", { reference: d.reference })}</a> : t("intake.report.duplicate.report", { reference: d.reference })}</li>
            ))}
            {view.duplicates.cases.map((d) => (
              <li>
                {d.canOpen ? (
                  <a href={`/cases/${d.id}`}>{d.label ?? ""} {t("intake.report.duplicate.case", { date: ctx.date(d.openedAt) })}</a>
                ) : (
                  <>
                    {t("intake.report.duplicate.case", { date: ctx.date(d.openedAt) })} {t("intake.report.duplicate.no_access")}
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <h2>{t("intake.report.about")}</h2>
      <dl>
        {r.identity_known === 1 ? (
          <>
            <dt>{t("intake.form.subject_name")}</dt>
            <dd id="subject-name">{c.subjectName}</dd>
            <dt>{t("intake.form.subject_birth_date")}</dt>
            <dd>{ctx.date(c.subjectBirthDate)}</dd>
          </>
        ) : null}
        {c.subjectDescription ? (
          <>
            <dt>{t("intake.form.subject_description")}</dt>
            <dd class="pre-wrap">{c.subjectDescription}</dd>
          </>
        ) : null}
        <dt>{t("intake.form.municipality_nis")}</dt>
        <dd>{view.item.municipality}</dd>
      </dl>
      {r.identity_known === 1 && r.purged_at === null ? (
        <p>
          <a href={`/screening/${r.id}/identity`}>{t("rect.link")}</a>
        </p>
      ) : null}
      <h2>{t("intake.report.observed")}</h2>
      <ul>
        {c.signals.map((s) => (
          <li>{t(k(`intake.signal.${s}`))}</li>
        ))}
      </ul>
      <p id="observation" class="pre-wrap">
        {c.observation}
      </p>
      <dl>
        <dt>{t("intake.form.since")}</dt>
        <dd>{c.since ? t(k(`intake.since.${c.since}`)) : ""}</dd>
        <dt>{t("intake.form.person_knows")}</dt>
        <dd>{c.personKnows ? t(k(`intake.knows.${c.personKnows}`)) : ""}</dd>
        <dt>{t("intake.form.parent_knows")}</dt>
        <dd>{c.parentKnows ? t(k(`intake.knows.${c.parentKnows}`)) : ""}</dd>
      </dl>
      <h2>{t("intake.report.reporter")}</h2>
      <dl>
        <dt>{t("intake.screening.reporter_organisation")}</dt>
        <dd>{c.reporterOrganisation}</dd>
        <dt>{t("intake.screening.reporter_contact")}</dt>
        <dd>{c.reporterContact}</dd>
      </dl>

      {view.supplements.length > 0 ? (
        <section id="supplements" aria-labelledby="supplements-title">
          <h2 id="supplements-title">{t("sup.screening.title")}</h2>
          <ol>
            {view.supplements.map((sup) => (
              <li>
                <p>
                  <strong>{ctx.date(sup.at)}</strong> {sup.afterDecision ? <span class="tag">{t("sup.screening.after")}</span> : null}
                </p>
                <p class="pre-wrap">{sup.observation}</p>
                {sup.signals.length > 0 ? (
                  <p>
                    {t("sup.screening.signals")}: {sup.signals.map((code) => t(k(`intake.signal.${code}`))).join(", ")}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <h2>{t("intake.report.history")}</h2>
      {view.events.length === 0 ? (
        <p>{t("intake.report.no_history")}</p>
      ) : (
        <ol>
          {view.events.map((e) => (
            <li>
              {ctx.date(e.at)}: {t(k(`intake.transition.${e.transition}`))}
              {e.referralService ? ` (${t(k(`intake.service.${e.referralService}`))})` : ""}
              {e.reason ? <span class="pre-wrap"> · {e.reason}</span> : null}
            </li>
          ))}
        </ol>
      )}

      <h2>{t("intake.decision.title")}</h2>
      {canStart ? (
        <form method="post" action={action}>
          <Csrf ctx={ctx} />
          <input type="hidden" name="transition" value="start_screening" />
          <button type="submit" class="button secondary">
            {t("intake.decision.start")}
          </button>
        </form>
      ) : null}
      {decisions.length === 0 ? (
        <p>{t("intake.decision.none")}</p>
      ) : (
        <form method="post" action={action} novalidate>
          <Csrf ctx={ctx} />
          <div class={err("transition") ? "form-group form-group-error" : "form-group"}>
            <fieldset>
              <legend>{t("intake.decision.transition")}</legend>
              <HintAndError id="transition" error={err("transition")} />
              {decisions.map((d, i) => (
                <div class="radio">
                  <input type="radio" id={i === 0 ? "transition" : `transition-${d}`} name="transition" value={d} checked={form.transition === d} />
                  <label for={i === 0 ? "transition" : `transition-${d}`}>{t(k(`intake.transition.${d}`))}</label>
                </div>
              ))}
            </fieldset>
          </div>
          <div class={err("referral_service") ? "form-group form-group-error" : "form-group"}>
            <label for="referral_service">{t("intake.decision.referral_service")}</label>
            <HintAndError id="referral_service" error={err("referral_service")} />
            <select id="referral_service" name="referral_service" aria-describedby={describedBy("referral_service", undefined, err("referral_service"))}>
              <option value="">{t("intake.decision.choose")}</option>
              {REFERRAL_SERVICES.map((s) => (
                <option value={s} selected={form.referral_service === s}>
                  {t(k(`intake.service.${s}`))}
                </option>
              ))}
            </select>
          </div>
          {view.joinable.length > 0 ? (
            <div class={err("case_id") ? "form-group form-group-error" : "form-group"}>
              <label for="case_id">{t("scase.join.case")}</label>
              <HintAndError id="case_id" hint={t("scase.join.case.hint")} error={err("case_id")} />
              <select id="case_id" name="case_id" aria-describedby={describedBy("case_id", "h", err("case_id"))} aria-invalid={err("case_id") ? "true" : undefined}>
                <option value="">{t("scase.join.choose")}</option>
                {view.joinable.map((c) => (
                  <option value={c.id} selected={form.case_id === c.id}>
                    {t("scase.join.option", { label: c.label, date: ctx.date(c.openedAt) })}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div class={err("reason") ? "form-group form-group-error" : "form-group"}>
            <label for="reason">{t("intake.decision.reason")}</label>
            <HintAndError id="reason" hint={`${t("intake.decision.reason.hint")} ${t("intake.form.limit", { limit: LIMITS.reason })}`} error={err("reason")} />
            <textarea id="reason" name="reason" rows={4} aria-describedby={describedBy("reason", "h", err("reason"))} aria-invalid={err("reason") ? "true" : undefined}>
              {form.reason}
            </textarea>
          </div>
          <button type="submit" class="button">
            {t("intake.decision.submit")}
          </button>
        </form>
      )}
      {view.handoverTargets.length > 0 ? <HandoverForm ctx={ctx} action={`${props.base}/${r.id}/handover`} targets={view.handoverTargets} state={handover} /> : null}
    </Layout>
  );
}


function HandoverForm(props: { ctx: ViewContext; action: string; targets: { id: string; name: string }[]; state: HandoverFormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  const err = (f: string) => (state.error?.field === f ? state.error.message : undefined);
  return (
    <section aria-labelledby="handover-title">
      <h2 id="handover-title">{t("scase.handover.title")}</h2>
      <p>{t("scase.handover.intro")}</p>
      <form method="post" action={props.action} novalidate>
        <Csrf ctx={ctx} />
        <div class={err("to_livc") ? "form-group form-group-error" : "form-group"}>
          <label for="to_livc">{t("scase.handover.livc")}</label>
          <HintAndError id="to_livc" error={err("to_livc")} />
          <select id="to_livc" name="to_livc" aria-describedby={describedBy("to_livc", undefined, err("to_livc"))} aria-invalid={err("to_livc") ? "true" : undefined}>
            <option value="">{t("scase.handover.choose")}</option>
            {props.targets.map((l) => (
              <option value={l.id} selected={state.to_livc === l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <div class={err("handover_reason") ? "form-group form-group-error" : "form-group"}>
          <label for="handover_reason">{t("scase.handover.reason")}</label>
          <HintAndError id="handover_reason" error={err("handover_reason")} />
          <select
            id="handover_reason"
            name="reason"
            aria-describedby={describedBy("handover_reason", undefined, err("handover_reason"))}
            aria-invalid={err("handover_reason") ? "true" : undefined}
          >
            <option value="">{t("scase.handover.choose")}</option>
            {HANDOVER_REASONS.map((code) => (
              <option value={code} selected={state.reason === code}>
                {t(HANDOVER_REASON_LABELS[code])}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button secondary">
          {t("scase.handover.submit")}
        </button>
      </form>
    </section>
  );
}

const HANDOVER_REASON_LABELS = {
  wrong_municipality: "scase.handover.reason.wrong_municipality",
  livc_now_exists: "scase.handover.reason.livc_now_exists",
  person_moved: "scase.handover.reason.person_moved",
  other: "scase.handover.reason.other",
} as const satisfies Record<HandoverReason, MessageKey>;
