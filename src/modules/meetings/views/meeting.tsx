import type { MessageKey } from "../../../platform/i18n";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import { Pagination, pageHref } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";
import { statusKey } from "../../cases/views/list";
import { ScrollRegion } from "../../../platform/web/fields";
import { ButtonForm, Checkbox, Csrf, type Errors, Input, Notice, Select } from "../../cases/views/fields";
import type { MeetingView } from "../service";

export interface MeetingsPageProps {
  ctx: ViewContext;
  rows: { id: string; held_on: string; place: string | null; video_url: string | null; status: string }[];
  canSchedule: boolean;
  /** The status filter ("" for all) and the page (decision 0043: 50 a page, upcoming first). */
  status: string;
  total: number;
  page: number;
  pages: number;
}

export function MeetingsPage(props: MeetingsPageProps) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("mtg.list.title")}>
      <h1>{t("mtg.list.title")}</h1>
      {props.canSchedule ? (
        <p>
          <a class="button" href="/meetings/new">
            {t("mtg.list.new")}
          </a>
        </p>
      ) : null}
      <form method="get" action="/meetings" class="search-form">
        <Select
          id="status"
          label={t("mtg.list.filter")}
          value={props.status}
          options={[{ value: "", label: t("mtg.list.filter.all") }, ...["planned", "held", "cancelled"].map((s) => ({ value: s, label: t(`mtg.status.${s}` as MessageKey) }))]}
        />
        <button type="submit" class="button secondary">
          {t("mtg.list.filter.submit")}
        </button>
      </form>
      <p>{t("mtg.list.count", { total: ctx.num(props.total) })}</p>
      {props.rows.length === 0 ? (
        <p>{t("mtg.list.empty")}</p>
      ) : (
        <ScrollRegion label={t("mtg.list.title")}>
          <table class="table">
            <caption class="visually-hidden">{t("mtg.list.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("mtg.col.date")}</th>
              <th scope="col">{t("mtg.col.place")}</th>
              <th scope="col">{t("mtg.col.status")}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((m) => (
              <tr>
                <td>
                  <a href={`/meetings/${m.id}`}>{ctx.date(m.held_on)}</a>
                </td>
                <td>{m.place ?? (m.video_url ? t("mtg.video") : "")}</td>
                <td>{t(`mtg.status.${m.status}` as MessageKey)}</td>
              </tr>
            ))}
          </tbody>
          </table>
        </ScrollRegion>
      )}
      <Pagination ctx={ctx} page={props.page} pages={props.pages} href={(page) => pageHref("/meetings", { status: props.status }, page)} label={t("mtg.list.pages")} />
    </Layout>
  );
}

export interface MeetingPageProps {
  ctx: ViewContext;
  m: MeetingView;
  participants: { userId: string; name: string; organisationId: string | null; attended: boolean }[];
  notice?: string;
  /** Decision 0058: a refused register (before the meeting's day) comes back with the ticks as posted. */
  errors?: Errors;
  present?: string[];
}

export function MeetingPage(props: MeetingPageProps) {
  const { ctx, m } = props;
  const { t } = ctx;
  const title = t("mtg.title", { date: ctx.date(m.heldOn) });
  const errors = props.errors ?? {};
  // The register's error links to its first checkbox (the fieldset has no control of its own).
  const registerId = props.participants[0] ? `present-${props.participants[0].userId}` : "att-title";
  const ticked = (p: { userId: string; attended: boolean }) => (props.present ? props.present.includes(p.userId) : p.attended);
  return (
    <Layout ctx={ctx} title={title} wide>
      <ErrorSummary ctx={ctx} errors={Object.entries(errors).map(([field, message]) => ({ field: field === "present" ? registerId : field, message }))} />
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      <h1>{title}</h1>
      {m.cancelled ? (
        <div class="notice warning" role="status">
          <p>
            <strong>{t("mtg.cancelled.notice")}</strong>
          </p>
        </div>
      ) : null}
      <dl class="summary-list">
        <dt>{t("mtg.when")}</dt>
        <dd>
          {ctx.date(m.heldOn)} {m.startsAt ?? ""}
        </dd>
        {m.place ? (
          <>
            <dt>{t("mtg.place")}</dt>
            <dd>{m.place}</dd>
          </>
        ) : null}
        {m.videoUrl ? (
          <>
            <dt>{t("mtg.video")}</dt>
            <dd>{m.acknowledged ? <a href={m.videoUrl}>{m.videoUrl}</a> : "—"}</dd>
          </>
        ) : null}
        <dt>{t("mtg.framework")}</dt>
        <dd>{m.frameworkVersion ? t("mtg.framework.version", { n: m.frameworkVersion }) : "—"}</dd>
        <dt>{t("mtg.col.status")}</dt>
        <dd>{t(`mtg.status.${m.status}` as MessageKey)}</dd>
        {m.cancelled?.reason ? (
          <>
            <dt>{t("mtg.cancelled.reason")}</dt>
            <dd>{t(`mtg.cancel.reason.${m.cancelled.reason}` as MessageKey)}</dd>
          </>
        ) : null}
      </dl>
      {m.may.replan ? (
        <section aria-labelledby="replan-title">
          <h2 id="replan-title">{t("mtg.replan.title")}</h2>
          <ul>
            <li>
              <a href={`/meetings/${m.id}/reschedule`}>{t("mtg.replan.reschedule")}</a>
            </li>
            <li>
              <a href={`/meetings/${m.id}/agenda`}>{t("mtg.replan.agenda")}</a>
            </li>
            <li>
              <a href={`/meetings/${m.id}/cancel`}>{t("mtg.replan.cancel")}</a>
            </li>
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="gate-title" class="card">
        <h2 id="gate-title">{t("mtg.gate.title")}</h2>
        <p>{t("mtg.gate.text")}</p>
        <FrameworkText ctx={ctx} m={m} />
        {m.acknowledgedVersion !== null && m.frameworkVersion !== null && !m.acknowledged ? (
          <div class="notice warning" role="status">
            <p>{t("mtg.fw.changed", { old: m.acknowledgedVersion, n: m.frameworkVersion })}</p>
          </div>
        ) : null}
        {m.acknowledged ? (
          <p>
            <strong>{t("mtg.gate.done")}</strong>
          </p>
        ) : (
          <>
            <p>{t("mtg.gate.hidden")}</p>
            <ButtonForm ctx={ctx} action={`/meetings/${m.id}/acknowledge`} label={t("mtg.gate.confirm")} />
          </>
        )}
      </section>
      {m.acknowledged ? (
        <section aria-labelledby="agenda-title">
          <h2 id="agenda-title">{t("mtg.agenda.title")}</h2>
          {m.agenda.length === 0 ? <p>{t("mtg.agenda.none")}</p> : null}
          {m.agenda.map((a) => (
            <article class="card">
              <h3>
                <a href={`/cases/${a.caseId}`}>{a.label}</a> <span class="tag">{t(statusKey(a.status))}</span>
              </h3>
              <p>
                {t("mtg.agenda.services")}:{" "}
                {a.services.map((s, i) => `${i ? ", " : ""}${s.organisationName} (${s.invitationStatus ? t(`mtg.inv.${s.invitationStatus}` as MessageKey) : "—"})`).join("")}
              </p>
              {a.minutes ? (
                <p>
                  {t("mtg.agenda.minutes")}: {a.minutes.decisions ?? "—"}
                  {a.minutes.nextReviewOn ? ` · ${t("mtg.min.next_review")}: ${ctx.date(a.minutes.nextReviewOn)}` : ""}
                </p>
              ) : null}
              {m.may.minute ? (
                <p>
                  <a href={`/meetings/${m.id}/cases/${a.caseId}/minutes`}>
                    {t("mtg.agenda.write")}
                    <span class="visually-hidden"> {a.label}</span>
                  </a>
                </p>
              ) : null}
            </article>
          ))}
          {m.hiddenItems > 0 ? <p>{t("mtg.agenda.hidden", { n: m.hiddenItems })}</p> : null}
        </section>
      ) : null}
      {m.acknowledged && m.may.attendance ? (
        <section aria-labelledby="att-title">
          <h2 id="att-title">{t("mtg.att.title")}</h2>
          <form method="post" action={`/meetings/${m.id}/attendance`}>
            <Csrf ctx={ctx} />
            <div class={errors.present ? "form-group form-group-error" : "form-group"}>
              <fieldset aria-describedby={[m.beforeDay ? "att-hint" : "", errors.present ? "att-error" : ""].filter(Boolean).join(" ") || undefined}>
                <legend>{t("mtg.att.intro")}</legend>
                {m.beforeDay ? (
                  <p class="hint" id="att-hint">
                    {t("mtg.att.before_day", { date: ctx.date(m.heldOn) })}
                  </p>
                ) : null}
                {errors.present ? (
                  <p class="field-error" id="att-error">
                    {errors.present}
                  </p>
                ) : null}
                {props.participants.map((p) => (
                  <Checkbox id={`present-${p.userId}`} name="present" value={p.userId} label={p.name} checked={ticked(p)} />
                ))}
              </fieldset>
            </div>
            <button type="submit" class="button">
              {t("mtg.att.save")}
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}

/** Decision 0051: the framework in force for the meeting, as the participant acknowledges it (not personal data). */
function FrameworkText(props: { ctx: ViewContext; m: MeetingView }) {
  const { ctx, m } = props;
  const { t } = ctx;
  if (!m.framework) return <p>{t("mtg.fw.none")}</p>;
  return (
    <div class="framework">
      <h3>{t("mtg.fw.title")}</h3>
      <p>{t("mtg.fw.version", { n: m.framework.version, date: ctx.date(m.framework.adoptedOn) })}</p>
      <dl class="summary-list">
        <dt>{t("mtg.fw.participants")}</dt>
        <dd>{m.framework.participants}</dd>
        <dt>{t("mtg.fw.purpose")}</dt>
        <dd>{m.framework.purpose}</dd>
        <dt>{t("mtg.fw.arrangements")}</dt>
        <dd>{m.framework.workingArrangements}</dd>
      </dl>
    </div>
  );
}

export function MinutesPage(props: {
  ctx: ViewContext;
  meetingId: string;
  caseId: string;
  label: string;
  organisations: { id: string; name: string }[];
  /** The form's values; `revision` is the revision of the minutes the form was loaded with (decision 0058). */
  values: Record<string, string>;
  errors: Errors;
  /** Decision 0058: the meeting's day, when it is still to come (saving is refused until then). */
  beforeDay?: string;
  /** Decision 0058: someone else saved since the form was loaded; their saved version, for comparison. */
  conflict?: { decisions: string | null; nextReviewOn: string | null; recordedAt: string };
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const title = t("mtg.min.title", { label: props.label });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={Object.entries(errors).map(([field, message]) => ({ field, message }))} />
      <h1>{title}</h1>
      {props.conflict ? (
        <section class="notice warning" aria-labelledby="conflict-title">
          <h2 id="conflict-title">{t("mtg.min.conflict.title")}</h2>
          <p>{t("mtg.min.conflict.text", { time: ctx.date(props.conflict.recordedAt) })}</p>
          <h3>{t("mtg.min.conflict.saved")}</h3>
          <dl class="summary-list" id="saved-version">
            <dt>{t("mtg.min.decisions")}</dt>
            <dd>{props.conflict.decisions ?? t("mtg.min.conflict.none")}</dd>
            <dt>{t("mtg.min.next_review")}</dt>
            <dd>{props.conflict.nextReviewOn ? ctx.date(props.conflict.nextReviewOn) : "—"}</dd>
          </dl>
        </section>
      ) : null}
      <p>{t("mtg.min.intro")}</p>
      {props.beforeDay ? <p class="hint">{t("mtg.min.before_day", { date: ctx.date(props.beforeDay) })}</p> : null}
      <form method="post" action={`/meetings/${props.meetingId}/cases/${props.caseId}/minutes`}>
        <Csrf ctx={ctx} />
        <input type="hidden" name="revision" value={values.revision ?? "0"} />
        <Input id="decisions" label={t("mtg.min.decisions")} value={values.decisions} error={errors.decisions} multiline maxLength={4000} />
        <Input id="next_review_on" label={t("mtg.min.next_review")} hint={t("mtg.new.date.hint")} value={values.next_review_on} error={errors.next_review_on} maxLength={10} />
        {[1, 2, 3].map((n) => (
          <fieldset class="form-group">
            <legend>{t("mtg.min.action", { n })}</legend>
            <p class="hint">{t("mtg.min.action.hint")}</p>
            <Input id={`action${n}_description`} label={t("case.plan.description")} value={values[`action${n}_description`]} maxLength={500} />
            <Select id={`action${n}_owner`} label={t("case.plan.owner")} value={values[`action${n}_owner`]} error={errors[`action${n}_owner`]} placeholder="" options={props.organisations.map((o) => ({ value: o.id, label: o.name }))} />
            <Input id={`action${n}_due_on`} label={t("case.plan.due")} hint={t("mtg.new.date.hint")} value={values[`action${n}_due_on`]} error={errors[`action${n}_due_on`]} maxLength={10} />
          </fieldset>
        ))}
        <button type="submit" class="button">
          {t("mtg.min.save")}
        </button>
      </form>
      <p>
        <a href={`/meetings/${props.meetingId}`}>{t("mtg.min.back")}</a>
      </p>
    </Layout>
  );
}

/** Decision 0058: the register was posted with nobody ticked; a second POST (confirm=nobody) saves it. */
export function NobodyPresentPage(props: { ctx: ViewContext; meetingId: string; heldOn: string }) {
  const { ctx } = props;
  const { t } = ctx;
  const title = t("mtg.att.nobody.title");
  return (
    <Layout ctx={ctx} title={title}>
      <p class="hint">{t("mtg.title", { date: ctx.date(props.heldOn) })}</p>
      <h1>{title}</h1>
      <p>{t("mtg.att.nobody.text")}</p>
      <ButtonForm ctx={ctx} action={`/meetings/${props.meetingId}/attendance`} label={t("mtg.att.nobody.confirm")} fields={{ confirm: "nobody" }} />
      <p>
        <a href={`/meetings/${props.meetingId}#att-title`}>{t("mtg.att.nobody.back")}</a>
      </p>
    </Layout>
  );
}
