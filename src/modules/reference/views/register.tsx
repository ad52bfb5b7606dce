import { ScrollRegion } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { MunicipalityRow } from "../store";

export function RegisterPage(props: {
  ctx: ViewContext;
  date: string;
  dateInput: string;
  q: string;
  set: string;
  rows: MunicipalityRow[];
  dateError?: string;
}) {
  const { ctx, rows } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("ref.title")}>
      <ErrorSummary ctx={ctx} errors={props.dateError ? [{ field: "date", message: props.dateError }] : []} />
      <h1>{t("ref.title")}</h1>
      <p class="lead">{t("ref.intro")}</p>
      <form method="get" action="/municipalities" class="search-form">
        <div class={props.dateError ? "form-group form-group-error" : "form-group"}>
          <label for="date">{t("ref.date")}</label>
          <p class="hint" id="date-hint">
            {t("ref.date.hint")}
          </p>
          {props.dateError ? (
            <p class="field-error" id="date-error">
              {props.dateError}
            </p>
          ) : null}
          <input
            type="date"
            id="date"
            name="date"
            value={props.dateInput}
            min="2019-01-01"
            aria-describedby={props.dateError ? "date-hint date-error" : "date-hint"}
            aria-invalid={props.dateError ? "true" : undefined}
          />
        </div>
        <div class="form-group">
          <label for="q">{t("ref.search")}</label>
          <input type="search" id="q" name="q" value={props.q} maxLength={100} autocomplete="off" />
        </div>
        <button type="submit">{t("ref.submit")}</button>
      </form>
      <p aria-live="polite" id="result-count">
        <strong>{t("ref.count", { count: rows.length, date: ctx.date(props.date) })}</strong> {t("ref.count.set", { set: props.set })}
      </p>
      {rows.length === 0 ? (
        <p>{t("ref.none")}</p>
      ) : (
        <ScrollRegion label={t("ref.caption", { date: ctx.date(props.date) })}>
          <table>
            <caption class="visually-hidden">{t("ref.caption", { date: ctx.date(props.date) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("ref.col.nis")}</th>
                <th scope="col">{t("ref.col.name")}</th>
                <th scope="col">{t("ref.col.province")}</th>
                <th scope="col">{t("ref.col.arrondissement")}</th>
                <th scope="col">{t("ref.col.zone")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr>
                  <td>{m.nis}</td>
                  <td>
                    <a href={`/municipalities/${m.nis}`}>{m.name}</a>
                  </td>
                  <td>{m.province}</td>
                  <td>{m.arrondissement}</td>
                  <td>{m.police_zone ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Layout>
  );
}
