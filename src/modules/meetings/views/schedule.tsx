import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { statusKey } from "../../cases/views/list";
import { Checkbox, Csrf, type Errors, Input, Select } from "../../cases/views/fields";

/**
 * Planning a consultation in two steps, one form each, plain POSTs (no JavaScript needed):
 * 1. date, time, place and the cases, chosen from one page of the LIVC's open cases at a time
 *    (label search, previous/next); the cases already chosen stay on top as ticked boxes;
 * 2. per chosen case, the services to invite, out of the organisations offered for it.
 * Everything typed travels along in the form, so nothing is lost between steps or pages.
 */
export interface ScheduleValues {
  livc: string;
  held_on: string;
  starts_at: string;
  place: string;
  video_url: string;
  cases: string[];
  services: Record<string, string[]>;
}

interface CaseChoice {
  id: string;
  label: string;
  status: string;
}

const errorList = (errors: Errors) => Object.entries(errors).map(([field, message]) => ({ field, message }));

/** The services already ticked for the chosen cases, carried through step 1 so that going back keeps them. */
function CarriedServices(props: { values: ScheduleValues }) {
  return (
    <>
      {props.values.cases.flatMap((c) => (props.values.services[c] ?? []).map((o) => <input type="hidden" name={`services_${c}`} value={o} />))}
    </>
  );
}

export function ScheduleStep1(props: {
  ctx: ViewContext;
  livcs: { id: string; name: string }[];
  values: ScheduleValues;
  q: string;
  chosen: CaseChoice[];
  list: { items: CaseChoice[]; total: number; page: number; pages: number };
  errors: Errors;
}) {
  const { ctx, values, errors, list } = props;
  const { t } = ctx;
  const chosenIds = new Set(props.chosen.map((c) => c.id));
  const others = list.items.filter((c) => !chosenIds.has(c.id));
  const boxes = [...props.chosen.map((c) => ({ c, checked: true })), ...others.map((c) => ({ c, checked: false }))];
  const box = ({ c, checked }: { c: CaseChoice; checked: boolean }, i: number) => (
    <Checkbox id={i === 0 ? "cases" : `case-${c.id}`} name="cases" value={c.id} label={t("mtg.new.on_agenda", { label: c.label })} checked={checked} />
  );
  return (
    <Layout ctx={ctx} title={t("mtg.new.title")}>
      <ErrorSummary ctx={ctx} errors={errorList(errors)} />
      <h1>{t("mtg.new.title")}</h1>
      <p class="hint">{t("mtg.new.step1")}</p>
      <form method="post" action="/meetings/new">
        <Csrf ctx={ctx} />
        <CarriedServices values={values} />
        {props.livcs.length > 1 ? (
          <Select id="livc" label={t("mtg.new.livc")} hint={t("mtg.new.livc.hint")} value={values.livc} options={props.livcs.map((l) => ({ value: l.id, label: l.name }))} />
        ) : (
          <input type="hidden" name="livc" value={props.livcs[0]?.id ?? ""} />
        )}
        <Input id="held_on" label={t("mtg.new.date")} hint={t("mtg.new.date.hint")} value={values.held_on} error={errors.held_on} maxLength={10} />
        <Input id="starts_at" label={t("mtg.new.time")} hint={t("mtg.new.time.hint")} value={values.starts_at} error={errors.starts_at} maxLength={5} />
        <Input id="place" label={t("mtg.new.place")} value={values.place} error={errors.place} maxLength={200} />
        <Input id="video_url" label={t("mtg.new.video")} hint={t("mtg.new.video.hint")} value={values.video_url} error={errors.video_url} maxLength={500} />
        <div class={errors.cases ? "form-group form-group-error" : "form-group"}>
          <fieldset aria-describedby={errors.cases ? "cases-hint cases-error" : "cases-hint"}>
            <legend>{t("mtg.new.cases")}</legend>
            <p class="hint" id="cases-hint">
              {t("mtg.new.cases.pick")}
            </p>
            {errors.cases ? (
              <p class="field-error" id="cases-error">
                {errors.cases}
              </p>
            ) : null}
            {props.chosen.length > 0 ? (
              <>
                <h2>{t("mtg.new.chosen", { n: props.chosen.length })}</h2>
                {boxes.slice(0, props.chosen.length).map(box)}
              </>
            ) : null}
            <h2>{t("mtg.new.open_cases")}</h2>
            <div class="search-form">
              <Input id="q" label={t("mtg.new.search")} value={props.q} maxLength={64} />
              <button type="submit" class="button secondary" name="go" value="search">
                {t("mtg.new.search.submit")}
              </button>
            </div>
            <p id="case-count">{t("mtg.new.count", { total: ctx.num(list.total), page: list.page, pages: list.pages })}</p>
            {boxes.length === 0 ? <p id="cases">{t("mtg.new.no_cases")}</p> : null}
            {others.length === 0 && boxes.length > 0 ? <p>{t("mtg.new.no_more")}</p> : null}
            {boxes.map((b, i) => (i < props.chosen.length ? null : box(b, i)))}
            {list.pages > 1 ? (
              <ul class="pagination">
                {list.page > 1 ? (
                  <li>
                    <button type="submit" class="button secondary" name="go" value={`page-${list.page - 1}`}>
                      {t("mtg.new.prev")}
                    </button>
                  </li>
                ) : null}
                {list.page < list.pages ? (
                  <li>
                    <button type="submit" class="button secondary" name="go" value={`page-${list.page + 1}`}>
                      {t("mtg.new.next_page")}
                    </button>
                  </li>
                ) : null}
              </ul>
            ) : null}
          </fieldset>
        </div>
        <button type="submit" class="button" name="go" value="next">
          {t("mtg.new.to_services")}
        </button>
      </form>
    </Layout>
  );
}

export function ScheduleStep2(props: {
  ctx: ViewContext;
  livcName: string;
  values: ScheduleValues;
  items: (CaseChoice & { offered: { id: string; name: string }[] })[];
  errors: Errors;
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const hidden = { livc: values.livc, held_on: values.held_on, starts_at: values.starts_at, place: values.place, video_url: values.video_url };
  return (
    <Layout ctx={ctx} title={t("mtg.new.title")}>
      <ErrorSummary ctx={ctx} errors={errorList(errors)} />
      <h1>{t("mtg.new.title")}</h1>
      <p class="hint">{t("mtg.new.step2")}</p>
      <dl class="summary-list">
        <dt>{t("mtg.new.livc")}</dt>
        <dd>{props.livcName}</dd>
        <dt>{t("mtg.when")}</dt>
        <dd>
          {ctx.date(values.held_on)} {values.starts_at}
        </dd>
        {values.place ? (
          <>
            <dt>{t("mtg.place")}</dt>
            <dd>{values.place}</dd>
          </>
        ) : null}
        {values.video_url ? (
          <>
            <dt>{t("mtg.video")}</dt>
            <dd>{values.video_url}</dd>
          </>
        ) : null}
      </dl>
      <form method="post" action="/meetings">
        <Csrf ctx={ctx} />
        {Object.entries(hidden).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <p>
          {t("mtg.new.services.hint")} <a href={`/partners/livc/${values.livc}`}>{t("mtg.new.services.seats")}</a>
        </p>
        {props.items.map((c) => {
          const error = errors[`svc-${c.id}`];
          const chosen = values.services[c.id] ?? [];
          return (
            <div class={error ? "card form-group form-group-error" : "card form-group"}>
              <input type="hidden" name="cases" value={c.id} />
              <fieldset aria-describedby={error ? `svc-${c.id}-error` : undefined}>
                <legend>{t("mtg.new.services_for", { label: c.label })}</legend>
                <p>
                  <span class="tag">{t(statusKey(c.status))}</span>
                </p>
                {error ? (
                  <p class="field-error" id={`svc-${c.id}-error`}>
                    {error}
                  </p>
                ) : null}
                {c.offered.length === 0 ? <p id={`svc-${c.id}`}>{t("mtg.new.services.none")}</p> : null}
                {c.offered.map((o, i) => (
                  <Checkbox id={i === 0 ? `svc-${c.id}` : `svc-${c.id}-${o.id}`} name={`services_${c.id}`} value={o.id} label={o.name} checked={chosen.includes(o.id)} />
                ))}
              </fieldset>
            </div>
          );
        })}
        <p>
          <button type="submit" class="button">
            {t("mtg.new.submit")}
          </button>{" "}
          <button type="submit" class="button secondary" formaction="/meetings/new" name="go" value="back">
            {t("mtg.new.back")}
          </button>
        </p>
      </form>
    </Layout>
  );
}
