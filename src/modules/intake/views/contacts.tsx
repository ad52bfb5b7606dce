import { Csrf, ScrollRegion, SelectField, TextField } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { ContactPointRow } from "../contacts";
import { extend } from "../../../platform/objects";

/** The province select's value for "all of Flanders" (province null). */
export const ALL_PROVINCES = "all";

export type ContactFormState = { values: Record<string, string>; errors: { field: string; message: string }[] };
export const emptyContactForm = (): ContactFormState => ({ values: {}, errors: [] });
const errorOf = (f: ContactFormState, field: string) => f.errors.find((e) => e.field === field)?.message;

const Notice = ({ text, kind }: { text?: string; kind?: "warning" }) =>
  text ? (
    <div class={kind ? `notice ${kind}` : "notice"} role="status">
      <p>{text}</p>
    </div>
  ) : null;

const provinceLabel = (ctx: ViewContext, province: string | null) => province ?? ctx.t("rc.all");

function ProvinceSelect(props: { ctx: ViewContext; provinces: string[]; form: ContactFormState; placeholder?: boolean }) {
  const { ctx } = props;
  return (
    <SelectField
      id="province"
      label={ctx.t("rc.province")}
      hint={ctx.t("rc.province_hint")}
      value={props.form.values.province}
      placeholder={props.placeholder ? ctx.t("rc.province_choose") : undefined}
      options={[{ value: ALL_PROVINCES, label: ctx.t("rc.all") }, ...props.provinces.map((p) => ({ value: p, label: p }))]}
      error={errorOf(props.form, "province")}
    />
  );
}

function EndButton(props: { ctx: ViewContext; row: ContactPointRow }) {
  const { ctx, row } = props;
  return (
    <form method="post" action={`/admin/regional-contacts/${row.id}/end`} class="inline-form">
      <Csrf ctx={ctx} />
      <button type="submit" class="secondary">
        {ctx.t("rc.end")}
        <span class="visually-hidden">
          {" "}
          {row.display_name}, {provinceLabel(ctx, row.province)}
        </span>
      </button>
    </form>
  );
}

/** The designations, a warning for provinces nobody covers, and the form to add one (no JavaScript needed). */
export function ContactPointsPage(props: { ctx: ViewContext; rows: ContactPointRow[]; provinces: string[]; uncovered: string[]; form: ContactFormState; notice?: string }) {
  const { ctx, rows } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("rc.title")}>
      <ErrorSummary ctx={ctx} errors={props.form.errors} />
      <p>
        <a href="/admin/accounts">{t("rc.back_admin")}</a>
      </p>
      <h1>{t("rc.title")}</h1>
      <Notice text={props.notice} />
      <p>{t("rc.intro")}</p>
      {props.uncovered.length > 0 ? <Notice kind="warning" text={t("rc.uncovered", { provinces: props.uncovered.join(", ") })} /> : null}
      {rows.length === 0 ? (
        <p>{t("rc.empty")}</p>
      ) : (
        <ScrollRegion label={t("rc.caption")}>
          <table class="table" id="contact-points">
            <caption>{t("rc.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("rc.col.name")}</th>
                <th scope="col">{t("rc.col.email")}</th>
                <th scope="col">{t("rc.col.province")}</th>
                <th scope="col">{t("rc.col.since")}</th>
                <th scope="col">{t("rc.col.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr data-id={r.id}>
                  <td>
                    {r.display_name}
                    {r.status === "active" ? null : <span class="tag"> {t("rc.inactive")}</span>}
                  </td>
                  <td>{r.email}</td>
                  <td>{provinceLabel(ctx, r.province)}</td>
                  <td>{ctx.date(r.created_at)}</td>
                  <td>
                    <a href={`/admin/regional-contacts/${r.id}`}>
                      {t("rc.change")}
                      <span class="visually-hidden">
                        {" "}
                        {r.display_name}, {provinceLabel(ctx, r.province)}
                      </span>
                    </a>{" "}
                    <EndButton ctx={ctx} row={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <h2>{t("rc.new.title")}</h2>
      <form method="post" action="/admin/regional-contacts" novalidate>
        <Csrf ctx={ctx} />
        <TextField id="email" type="email" label={t("rc.email")} value={props.form.values.email} maxLength={254} autocomplete="off" error={errorOf(props.form, "email")} />
        <ProvinceSelect ctx={ctx} provinces={props.provinces} form={props.form} placeholder />
        <button type="submit">{t("rc.add")}</button>
      </form>
    </Layout>
  );
}

/** One designation: change its province, or end it. */
export function ContactPointPage(props: { ctx: ViewContext; row: ContactPointRow; provinces: string[]; form: ContactFormState }) {
  const { ctx, row } = props;
  const { t } = ctx;
  const form = props.form.values.province === undefined ? extend(props.form, { values: { province: row.province ?? ALL_PROVINCES } }) : props.form;
  return (
    <Layout ctx={ctx} title={t("rc.edit.title")}>
      <ErrorSummary ctx={ctx} errors={props.form.errors} />
      <p>
        <a href="/admin/regional-contacts">{t("rc.back")}</a>
      </p>
      <h1>{t("rc.edit.title")}</h1>
      <dl class="summary">
        <dt>{t("rc.edit.person")}</dt>
        <dd>
          {row.display_name} ({row.email})
        </dd>
        <dt>{t("rc.col.since")}</dt>
        <dd>{ctx.date(row.created_at)}</dd>
      </dl>
      <form method="post" action={`/admin/regional-contacts/${row.id}`} novalidate>
        <Csrf ctx={ctx} />
        <ProvinceSelect ctx={ctx} provinces={props.provinces} form={form} />
        <button type="submit">{t("rc.edit.save")}</button>
      </form>
      <h2>{t("rc.edit.end_title")}</h2>
      <p>{t("rc.edit.end_text")}</p>
      <EndButton ctx={ctx} row={row} />
    </Layout>
  );
}
