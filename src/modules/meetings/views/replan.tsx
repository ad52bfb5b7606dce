import { Pagination } from "../../../platform/web/pagination";
import type { MessageKey } from "../../../platform/i18n";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import { Radios, ScrollRegion } from "../../../platform/web/fields";
import type { ViewContext } from "../../../platform/web/view";
import { statusKey } from "../../cases/views/list";
import { ButtonForm, Checkbox, Csrf, type Errors, Input, Notice } from "../../cases/views/fields";
import { CANCEL_REASONS } from "../migrations";
import { extend } from "../../../platform/objects";

/**
 * Re-planning a planned consultation (decision 0043): one page each for the new date/place, the
 * cancellation, and the agenda (take a case off; pick a case to add, then its services). Plain
 * forms (POST + redirect, GET for picking a case), so nothing needs JavaScript.
 */
const errorList = (errors: Errors) => Object.entries(errors).map(([field, message]) => ({ field, message }));

const BackToMeeting = (props: { ctx: ViewContext; id: string }) => (
  <p>
    <a href={`/meetings/${props.id}`}>{props.ctx.t("mtg.min.back")}</a>
  </p>
);

export interface RescheduleValues {
  held_on: string;
  starts_at: string;
  place: string;
  video_url: string;
  /** Decision 0058: the meeting as the form was loaded (rescheduleFingerprint), sent back for the compare-and-set. */
  loaded: string;
}

export function ReschedulePage(props: {
  ctx: ViewContext;
  id: string;
  heldOn: string;
  values: RescheduleValues;
  errors: Errors;
  /** Decision 0058: someone else changed the meeting since the form was loaded; how it is now. */
  current?: { heldOn: string; startsAt: string | null; place: string | null; videoUrl: string | null };
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const title = t("mtg.resched.title", { date: ctx.date(props.heldOn) });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={errorList(errors)} />
      <h1>{title}</h1>
      {errors.closed_case ? (
        <p id="closed_case" class="field-error">
          {errors.closed_case} <a href={`/meetings/${props.id}/agenda`}>{t("mtg.replan.agenda")}</a>
        </p>
      ) : null}
      {props.current ? (
        <section class="notice warning" aria-labelledby="conflict-title">
          <h2 id="conflict-title">{t("mtg.resched.conflict.title")}</h2>
          <p>{t("mtg.resched.conflict.text")}</p>
          <dl class="summary-list" id="current-meeting">
            <dt>{t("mtg.new.date")}</dt>
            <dd>{ctx.date(props.current.heldOn)}</dd>
            <dt>{t("mtg.new.time")}</dt>
            <dd>{props.current.startsAt ?? "—"}</dd>
            <dt>{t("mtg.new.place")}</dt>
            <dd>{props.current.place ?? "—"}</dd>
            <dt>{t("mtg.new.video")}</dt>
            <dd>{props.current.videoUrl ?? "—"}</dd>
          </dl>
        </section>
      ) : null}
      <p class="hint">{t("mtg.replan.mail_hint")}</p>
      <form method="post" action={`/meetings/${props.id}/reschedule`}>
        <Csrf ctx={ctx} />
        <input type="hidden" name="loaded" value={values.loaded} />
        <Input id="held_on" label={t("mtg.new.date")} hint={t("mtg.new.date.hint")} value={values.held_on} error={errors.held_on} maxLength={10} />
        <Input id="starts_at" label={t("mtg.new.time")} hint={t("mtg.new.time.hint")} value={values.starts_at} error={errors.starts_at} maxLength={5} />
        <Input id="place" label={t("mtg.new.place")} value={values.place} error={errors.place} maxLength={200} />
        <Input id="video_url" label={t("mtg.new.video")} hint={t("mtg.new.video.hint")} value={values.video_url} error={errors.video_url} maxLength={500} />
        <button type="submit" class="button">
          {t("mtg.resched.submit")}
        </button>
      </form>
      <BackToMeeting ctx={ctx} id={props.id} />
    </Layout>
  );
}

export function CancelPage(props: { ctx: ViewContext; id: string; heldOn: string; values: { reason: string; note: string }; errors: Errors }) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const title = t("mtg.cancel.title", { date: ctx.date(props.heldOn) });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={errorList(errors)} />
      <h1>{title}</h1>
      <p>{t("mtg.cancel.intro")}</p>
      <p class="hint">{t("mtg.replan.mail_hint")}</p>
      <form method="post" action={`/meetings/${props.id}/cancel`}>
        <Csrf ctx={ctx} />
        <Radios id="reason" legend={t("mtg.cancel.reason")} value={values.reason} error={errors.reason} options={CANCEL_REASONS.map((r) => ({ value: r, label: t(`mtg.cancel.reason.${r}` as MessageKey) }))} />
        <p class="hint">{t("mtg.cancel.reason_only")}</p>
        <button type="submit" class="button">
          {t("mtg.cancel.submit")}
        </button>
      </form>
      <BackToMeeting ctx={ctx} id={props.id} />
    </Layout>
  );
}

interface CaseChoice {
  id: string;
  label: string;
  status: string;
}

export function AgendaPage(props: {
  ctx: ViewContext;
  id: string;
  heldOn: string;
  agenda: CaseChoice[];
  q: string;
  list: { items: CaseChoice[]; total: number; page: number; pages: number };
  errors: Errors;
  notice?: string;
}) {
  const { ctx, errors, list } = props;
  const { t } = ctx;
  const title = t("mtg.agenda.edit.title", { date: ctx.date(props.heldOn) });
  const onAgenda = new Set(props.agenda.map((a) => a.id));
  const choices = list.items.filter((c) => !onAgenda.has(c.id));
  const pageLink = (page: number) => `/meetings/${props.id}/agenda?${new URLSearchParams(extend(props.q ? { q: props.q } : {}, { page: String(page) }))}`;
  return (
    <Layout ctx={ctx} title={title}>
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      <ErrorSummary ctx={ctx} errors={errorList(errors)} />
      <h1>{title}</h1>
      <h2>{t("mtg.agenda.edit.current")}</h2>
      <p class="hint">{t("mtg.agenda.remove.hint")}</p>
      {errors.remove ? (
        <p class="field-error" id="remove">
          {errors.remove}
        </p>
      ) : null}
      <ScrollRegion label={t("mtg.agenda.edit.current")}>
        <table class="table">
          <caption class="visually-hidden">{t("mtg.agenda.edit.current")}</caption>
          <tbody>
            {props.agenda.map((a) => (
              <tr>
                <td>
                  {a.label} <span class="tag">{t(statusKey(a.status))}</span>
                </td>
                <td>
                  <ButtonForm ctx={ctx} action={`/meetings/${props.id}/agenda/remove`} fields={{ case: a.id }} label={`${t("mtg.agenda.remove")}: ${a.label}`} secondary />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <h2>{t("mtg.agenda.add.title")}</h2>
      <form method="get" action={`/meetings/${props.id}/agenda`} class="search-form">
        <Input id="q" label={t("mtg.new.search")} value={props.q} maxLength={64} />
        <button type="submit" class="button secondary">
          {t("mtg.new.search.submit")}
        </button>
      </form>
      <form method="get" action={`/meetings/${props.id}/agenda/add`}>
        <div class={errors.case ? "form-group form-group-error" : "form-group"}>
          <fieldset aria-describedby={errors.case ? "case-count case-error" : "case-count"}>
            <legend>{t("mtg.agenda.add.pick")}</legend>
            <p class="hint" id="case-count">
              {t("mtg.new.count", { total: ctx.num(list.total), page: list.page, pages: list.pages })}
            </p>
            {errors.case ? (
              <p class="field-error" id="case-error">
                {errors.case}
              </p>
            ) : null}
            {choices.length === 0 ? <p id="case">{t("mtg.agenda.add.none")}</p> : null}
            {choices.map((c, i) => (
              <div class="checkbox">
                <input type="radio" id={i === 0 ? "case" : `case-${c.id}`} name="case" value={c.id} />
                <label for={i === 0 ? "case" : `case-${c.id}`}>
                  {c.label} ({t(statusKey(c.status))})
                </label>
              </div>
            ))}
          </fieldset>
        </div>
        {choices.length > 0 ? (
          <button type="submit" class="button">
            {t("mtg.agenda.add.next")}
          </button>
        ) : null}
      </form>
      <Pagination ctx={ctx} page={list.page} pages={list.pages} href={pageLink} />
      <BackToMeeting ctx={ctx} id={props.id} />
    </Layout>
  );
}

export function AddCasePage(props: { ctx: ViewContext; id: string; item: CaseChoice; offered: { id: string; name: string }[]; chosen: string[]; errors: Errors }) {
  const { ctx, item, errors } = props;
  const { t } = ctx;
  const title = t("mtg.agenda.add.services", { label: item.label });
  const error = errors.services;
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={errorList(errors)} />
      <h1>{title}</h1>
      <p class="hint">{t("mtg.new.services.hint")}</p>
      <form method="post" action={`/meetings/${props.id}/agenda/add`}>
        <Csrf ctx={ctx} />
        <input type="hidden" name="case" value={item.id} />
        <div class={error ? "form-group form-group-error" : "form-group"}>
          <fieldset aria-describedby={error ? "services-error" : undefined}>
            <legend>{t("mtg.new.services_for", { label: item.label })}</legend>
            {error ? (
              <p class="field-error" id="services-error">
                {error}
              </p>
            ) : null}
            {props.offered.length === 0 ? <p id="services">{t("mtg.new.services.none")}</p> : null}
            {props.offered.map((o, i) => (
              <Checkbox id={i === 0 ? "services" : `services-${o.id}`} name="services" value={o.id} label={o.name} checked={props.chosen.includes(o.id)} />
            ))}
          </fieldset>
        </div>
        <button type="submit" class="button">
          {t("mtg.agenda.add.submit")}
        </button>
      </form>
      <p>
        <a href={`/meetings/${props.id}/agenda`}>{t("mtg.agenda.back")}</a>
      </p>
    </Layout>
  );
}

/** Decision 0058: a re-planning page opened for a meeting that is no longer planned (held or cancelled). */
export function NotPlannedPage(props: { ctx: ViewContext; id: string; heldOn: string }) {
  const { ctx } = props;
  const { t } = ctx;
  const title = t("mtg.replan.not_planned.title");
  return (
    <Layout ctx={ctx} title={title}>
      <p class="hint">{t("mtg.title", { date: ctx.date(props.heldOn) })}</p>
      <h1>{title}</h1>
      <p class="lead">{t("mtg.error.not_planned")}</p>
      <BackToMeeting ctx={ctx} id={props.id} />
    </Layout>
  );
}
