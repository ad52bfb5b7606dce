import { Csrf, ScrollRegion, TextField } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { type ClosingDaysView, DESCRIPTION_MAX } from "../closing-days";
import { k } from "./common";
import { extend } from "../../../platform/objects";

export type ClosingDayFormState = { values: { day?: string; description?: string }; errors: { field: string; message: string }[] };
export const emptyClosingDayForm = (): ClosingDayFormState => ({ values: {}, errors: [] });
const errorOf = (f: ClosingDayFormState, field: string) => f.errors.find((e) => e.field === field)?.message;

const INTL: Record<string, string> = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };
const formats = new Map<string, Intl.DateTimeFormat>();
function format(locale: string, kind: "yearly" | "dated"): Intl.DateTimeFormat {
  const key = `${locale}|${kind}`;
  let f = formats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = kind === "yearly" ? { day: "numeric", month: "long" } : { weekday: "long", day: "numeric", month: "long", year: "numeric" };
    f = new Intl.DateTimeFormat(INTL[locale] ?? "nl-BE", extend(opts, { timeZone: "UTC" }));
    formats.set(key, f);
  }
  return f;
}

/** "11 juli, elk jaar" for "07-11"; "vrijdag 7 mei 2027" for "2027-05-07". */
export function dayLabel(ctx: ViewContext, day: string): string {
  if (day.length === 5) return ctx.t("cd.every_year", { day: format(ctx.locale, "yearly").format(new Date(`2024-${day}T12:00:00Z`)) });
  return format(ctx.locale, "dated").format(new Date(`${day}T12:00:00Z`));
}

const Done = ({ text }: { text?: string }) =>
  text ? (
    <div class="notice success" role="status">
      <p>{text}</p>
    </div>
  ) : null;

/** The LIVCs whose closing days this person manages (administrators: all). */
export function ClosingDaysIndexPage(props: { ctx: ViewContext; livcs: { id: string; name: string }[] }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("cd.index.title")}>
      <h1>{t("cd.index.title")}</h1>
      {props.livcs.length === 0 ? (
        <p>{t("cd.index.none")}</p>
      ) : (
        <>
          <p>{t("cd.index.intro")}</p>
          <ul>
            {props.livcs.map((l) => (
              <li>
                <a href={`/closing-days/${l.id}`}>{l.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}

/** One LIVC's own days (remove, add) and, read-only, the installation-wide days and the legal holidays. */
export function ClosingDaysPage(props: { ctx: ViewContext; view: ClosingDaysView; form: ClosingDayFormState; notice?: string }) {
  const { ctx, view, form } = props;
  const { t } = ctx;
  const base = `/closing-days/${view.livc.id}`;
  const title = t("cd.title", { name: view.livc.name });
  return (
    <Layout ctx={ctx} title={title}>
      <ErrorSummary ctx={ctx} errors={form.errors} />
      <p>
        <a href="/closing-days">{t("cd.back")}</a>
      </p>
      <h1>{title}</h1>
      <Done text={props.notice} />
      <p>{t("cd.intro")}</p>
      <div class="notice">
        <p>{t("cd.from_now")}</p>
      </div>

      <h2 id="own">{t("cd.own.title")}</h2>
      {view.rows.length === 0 ? (
        <p>{t("cd.own.empty")}</p>
      ) : (
        <ScrollRegion label={t("cd.own.caption")}>
          <table class="table" id="closing-days">
            <caption class="visually-hidden">{t("cd.own.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("cd.col.day")}</th>
                <th scope="col">{t("cd.col.description")}</th>
                <th scope="col">{t("cd.col.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((r) => (
                <tr data-day={r.day}>
                  <td>{dayLabel(ctx, r.day)}</td>
                  <td>{r.description}</td>
                  <td>
                    <form method="post" action={`${base}/${r.id}/remove`} class="inline-form">
                      <Csrf ctx={ctx} />
                      <button type="submit" class="secondary">
                        {t("cd.remove")}
                        <span class="visually-hidden"> {dayLabel(ctx, r.day)}</span>
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      <h2>{t("cd.new.title")}</h2>
      <form method="post" action={base} novalidate>
        <Csrf ctx={ctx} />
        <TextField id="day" label={t("cd.day")} hint={t("cd.day_hint")} value={form.values.day} maxLength={20} autocomplete="off" error={errorOf(form, "day")} />
        <TextField
          id="description"
          label={t("cd.description")}
          hint={t("cd.description_hint", { max: DESCRIPTION_MAX })}
          value={form.values.description}
          maxLength={200}
          autocomplete="off"
          error={errorOf(form, "description")}
        />
        <button type="submit">{t("cd.add")}</button>
      </form>

      <h2>{t("cd.also.title")}</h2>
      <h3>{t("cd.installation.title")}</h3>
      <p>{t("cd.installation.intro")}</p>
      {view.installation.length === 0 ? (
        <p>{t("cd.installation.empty")}</p>
      ) : (
        <ul id="installation-days">
          {view.installation.map((d) => (
            <li>{dayLabel(ctx, d)}</li>
          ))}
        </ul>
      )}
      {view.legal.map((y) => (
        <>
          <h3>{t("cd.legal.title", { year: String(y.year) })}</h3>
          <ScrollRegion label={t("cd.legal.caption", { year: String(y.year) })}>
            <table class="table">
              <caption class="visually-hidden">{t("cd.legal.caption", { year: String(y.year) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("cd.col.day")}</th>
                  <th scope="col">{t("cd.col.description")}</th>
                </tr>
              </thead>
              <tbody>
                {y.days.map((d) => (
                  <tr>
                    <td>{dayLabel(ctx, d.date)}</td>
                    <td>{t(k(`cd.holiday.${d.key}`))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        </>
      ))}
    </Layout>
  );
}
