import { ErrorSummary, Layout } from "../../../platform/web/layout";
import { Pagination, pageHref } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";
import { SECTOR_KEYS, type Sector, sectorLabel } from "../../identity/sectors";
import { Csrf, SearchForm, ScrollRegion, SelectField, TextField } from "../../../platform/web/fields";

export type FormState = { values: Record<string, string>; errors: { field: string; message: string }[] };
export const emptyForm = (): FormState => ({ values: {}, errors: [] });
const errorOf = (f: FormState, field: string) => f.errors.find((e) => e.field === field)?.message;

const Notice = ({ text }: { text?: string }) =>
  text ? (
    <div class="notice" role="status">
      <p>{text}</p>
    </div>
  ) : null;

export interface OrganisationSummary {
  id: string;
  name: string;
  sector: Sector | null;
  municipalities: number;
  contacts: number;
}

export interface OrganisationListPage {
  items: OrganisationSummary[];
  total: number;
  page: number;
  pages: number;
  search: string;
}

/** The organisations, 50 a page, sorted by name, with a search on the name (a GET form: works without JavaScript). */
export function OrganisationsPage(props: { ctx: ViewContext; list: OrganisationListPage; form: FormState }) {
  const { ctx, form, list } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("oa.title")}>
      <ErrorSummary ctx={ctx} errors={form.errors} />
      <h1>{t("oa.title")}</h1>
      <p>{t("oa.intro")}</p>
      {list.total === 0 && !list.search ? (
        <p>{t("oa.empty")}</p>
      ) : (
        <>
          <SearchForm action="/admin/organisations" id="q" label={t("oa.search")} value={list.search} submit={t("oa.search_submit")} />
          <p id="organisation-count">
            {list.total === 0 ? t("oa.none_found") : t(list.search ? "oa.count_found" : "oa.count", { total: ctx.num(list.total), page: list.page, pages: list.pages })}
            {list.search ? (
              <>
                {" "}
                <a href="/admin/organisations">{t("oa.show_all")}</a>
              </>
            ) : null}
          </p>
        </>
      )}
      {list.items.length === 0 ? null : (
        <ScrollRegion label={t("oa.caption")}>
          <table class="table">
            <caption>{t("oa.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("oa.col.name")}</th>
                <th scope="col">{t("oa.col.sector")}</th>
                <th scope="col" class="num">
                  {t("oa.col.municipalities")}
                </th>
                <th scope="col" class="num">
                  {t("oa.col.contacts")}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((o) => (
                <tr>
                  <td>
                    <a href={`/admin/organisations/${o.id}`}>{o.name}</a>
                  </td>
                  <td>{o.sector ? sectorLabel(o.sector, ctx.locale) : "-"}</td>
                  <td class="num">{o.municipalities}</td>
                  <td class="num">{o.contacts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <Pagination ctx={ctx} page={list.page} pages={list.pages} href={(p) => pageHref("/admin/organisations", { q: list.search }, p)} label={t("oa.pages")} />
      <h2>{t("oa.new.title")}</h2>
      <form method="post" action="/admin/organisations" novalidate>
        <Csrf ctx={ctx} />
        <TextField id="name" label={t("oa.new.name")} value={form.values.name} maxLength={200} error={errorOf(form, "name")} />
        <SelectField
          id="sector"
          label={t("oa.new.sector")}
          value={form.values.sector}
          placeholder={t("oa.new.sector_choose")}
          options={SECTOR_KEYS.map((s) => ({ value: s, label: sectorLabel(s, ctx.locale) }))}
          error={errorOf(form, "sector")}
        />
        <button type="submit">{t("oa.new.submit")}</button>
      </form>
    </Layout>
  );
}

export interface OrganisationDetailProps {
  ctx: ViewContext;
  organisation: { id: string; name: string; sector: Sector | null };
  municipalities: { nis: string; name: string | null }[];
  contacts: { user_id: string; display_name: string; email: string }[];
  /** The name and sector form: empty values show the organisation's own. */
  detailsForm: FormState;
  municipalityForm: FormState;
  contactForm: FormState;
  notice?: string;
}

export function OrganisationDetailPage(props: OrganisationDetailProps) {
  const { ctx, organisation: o } = props;
  const { t } = ctx;
  const base = `/admin/organisations/${o.id}`;
  const remove = (path: string, field: string, value: string, label: string, what: string) => (
    <form method="post" action={`${base}/${path}`} class="inline-form">
      <Csrf ctx={ctx} />
      <input type="hidden" name={field} value={value} />
      <button type="submit" class="secondary">
        {label}
        <span class="visually-hidden"> {what}</span>
      </button>
    </form>
  );
  return (
    <Layout ctx={ctx} title={o.name}>
      <ErrorSummary ctx={ctx} errors={[...props.detailsForm.errors, ...props.municipalityForm.errors, ...props.contactForm.errors]} />
      <p>
        <a href="/admin/organisations">{t("oa.back")}</a>
      </p>
      <h1>{o.name}</h1>
      <Notice text={props.notice} />
      <dl class="summary">
        <dt>{t("oa.detail.sector")}</dt>
        <dd>{o.sector ? sectorLabel(o.sector, ctx.locale) : "-"}</dd>
      </dl>

      <DetailsForm ctx={ctx} organisation={o} form={props.detailsForm} />

      <h2>{t("oa.mun.title")}</h2>
      {props.municipalities.length === 0 ? (
        <p>{t("oa.mun.empty")}</p>
      ) : (
        <ul>
          {props.municipalities.map((m) => (
            <li>
              {m.name ?? t("oa.mun.no_longer_valid")} ({m.nis}) {remove("municipalities/remove", "nis", m.nis, t("oa.mun.remove"), m.name ?? m.nis)}
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`${base}/municipalities`} novalidate>
        <Csrf ctx={ctx} />
        <TextField id="nis" label={t("oa.mun.nis")} hint={t("oa.mun.nis_hint")} value={props.municipalityForm.values.nis} maxLength={5} error={errorOf(props.municipalityForm, "nis")} />
        <button type="submit">{t("oa.mun.add")}</button>
      </form>

      <h2>{t("oa.contacts.title")}</h2>
      {props.contacts.length === 0 ? (
        <p>{t("oa.contacts.empty")}</p>
      ) : (
        <ul>
          {props.contacts.map((c) => (
            <li>
              {c.display_name} ({c.email}) {remove("contacts/remove", "user_id", c.user_id, t("oa.contacts.remove"), c.display_name)}
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`${base}/contacts`} novalidate>
        <Csrf ctx={ctx} />
        <TextField id="email" label={t("oa.contacts.email")} value={props.contactForm.values.email} maxLength={254} error={errorOf(props.contactForm, "email")} />
        <button type="submit">{t("oa.contacts.add")}</button>
      </form>
    </Layout>
  );
}

/** Rename the organisation or change its sector (plain POST; a refused form keeps what was typed). */
function DetailsForm(props: { ctx: ViewContext; organisation: { id: string; name: string; sector: Sector | null }; form: FormState }) {
  const { ctx, organisation: o, form } = props;
  const { t } = ctx;
  const values = form.errors.length > 0 ? form.values : { name: o.name, sector: o.sector ?? "" };
  return (
    <>
      <h2>{t("oa.edit.title")}</h2>
      <form method="post" action={`/admin/organisations/${o.id}/edit`} novalidate>
        <Csrf ctx={ctx} />
        <TextField id="name" label={t("oa.new.name")} value={values.name} maxLength={200} error={errorOf(form, "name")} />
        <SelectField
          id="sector"
          label={t("oa.new.sector")}
          value={values.sector}
          placeholder={t("oa.new.sector_choose")}
          options={SECTOR_KEYS.map((s) => ({ value: s, label: sectorLabel(s, ctx.locale) }))}
          error={errorOf(form, "sector")}
        />
        <button type="submit">{t("oa.edit.submit")}</button>
      </form>
    </>
  );
}
