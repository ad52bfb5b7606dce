import type { MessageKey } from "../../../platform/i18n";
import { Csrf, ScrollRegion, SelectField, TextField } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import { pageHref } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";

export interface AuditLogValues {
  from: string;
  to: string;
  actor: string;
  action: string;
  resource_type: string;
  resource_id: string;
  outcome: string;
}

export interface AuditLogRow {
  seq: number;
  at: string;
  display_name: string | null;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: string;
}

/**
 * The DPO's audit log: a POST form (the account's e-mail address never goes into a URL; the server
 * turns it into the account id and redirects), the page of entries, and the CSV of the same search.
 */
export function AuditLogPage(props: {
  ctx: ViewContext;
  values: AuditLogValues;
  errors: Record<string, string>;
  outcomes: readonly string[];
  result?: { rows: AuditLogRow[]; more: boolean; page: number; params: Record<string, string>; csvHref: string };
}) {
  const { ctx, values, errors, result } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("al.title")} wide>
      <ErrorSummary ctx={ctx} errors={Object.entries(errors).map(([field, message]) => ({ field, message }))} />
      <h1>{t("al.title")}</h1>
      <p class="lead">{t("al.intro")}</p>
      <form method="post" action="/audit">
        <Csrf ctx={ctx} />
        <TextField id="from" label={t("al.from")} hint={t("al.date_hint")} value={values.from} error={errors.from} maxLength={10} />
        <TextField id="to" label={t("al.to")} hint={t("al.date_hint")} value={values.to} error={errors.to} maxLength={10} />
        <TextField id="actor" type="email" label={t("al.actor")} hint={t("al.actor_hint")} value={values.actor} error={errors.actor} maxLength={254} autocomplete="off" />
        <TextField id="action" label={t("al.action")} hint={t("al.action_hint")} value={values.action} error={errors.action} maxLength={60} />
        <TextField id="resource_type" label={t("al.resource_type")} value={values.resource_type} error={errors.resource_type} maxLength={40} />
        <TextField id="resource_id" label={t("al.resource_id")} value={values.resource_id} error={errors.resource_id} maxLength={100} />
        <SelectField id="outcome" label={t("al.outcome")} value={values.outcome} placeholder={t("al.outcome.any")} options={props.outcomes.map((o) => ({ value: o, label: t(`al.outcome.${o}` as MessageKey) }))} />
        <button type="submit" class="button">
          {t("al.search")}
        </button>
      </form>
      {result ? (
        <section aria-labelledby="al-results">
          <h2 id="al-results">{t("al.page", { page: result.page })}</h2>
          <p>
            <a href={result.csvHref}>{t("al.csv")}</a>
          </p>
          {result.rows.length === 0 ? (
            <p>{t("al.none")}</p>
          ) : (
            <ScrollRegion label={t("al.caption")}>
              <table class="table">
                <caption class="visually-hidden">{t("al.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("al.col.at")}</th>
                    <th scope="col">{t("al.col.who")}</th>
                    <th scope="col">{t("al.col.role")}</th>
                    <th scope="col">{t("al.col.action")}</th>
                    <th scope="col">{t("al.col.resource")}</th>
                    <th scope="col">{t("al.col.outcome")}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((r) => (
                    <tr>
                      <td>{r.at.slice(0, 19).replace("T", " ")}</td>
                      <td>{r.actor_id ? (r.display_name ?? r.actor_id) : t("al.system")}</td>
                      <td>{r.actor_role ?? ""}</td>
                      <td>
                        <code>{r.action}</code>
                      </td>
                      <td>
                        {r.resource_type}
                        {r.resource_id ? <code> {r.resource_id}</code> : null}
                      </td>
                      <td>{(props.outcomes as readonly string[]).includes(r.outcome) ? t(`al.outcome.${r.outcome}` as MessageKey) : r.outcome}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}
          {result.page > 1 || result.more ? (
            <nav aria-label={t("al.pages")}>
              <ul class="pagination">
                {result.page > 1 ? (
                  <li>
                    <a href={pageHref("/audit", result.params, result.page - 1)} rel="prev">
                      {t("al.prev")}
                    </a>
                  </li>
                ) : null}
                {result.more ? (
                  <li>
                    <a href={pageHref("/audit", result.params, result.page + 1)} rel="next">
                      {t("al.next")}
                    </a>
                  </li>
                ) : null}
              </ul>
            </nav>
          ) : null}
        </section>
      ) : null}
    </Layout>
  );
}
