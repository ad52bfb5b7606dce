import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { ScrollRegion } from "../../../platform/web/fields";
import { SECTOR_KEYS, sectorLabel } from "../../identity/sectors";
import type { NewLink } from "../service";
import { Choices, Csrf, type Errors, Input, Select, summary } from "./form";

export function LinkFormPage(props: {
  ctx: ViewContext;
  campaignId: string;
  organisations: { id: string; name: string; sector: string }[];
  /** The organisation search typed (GET ?org_q=). */
  search: string;
  provinces: string[];
  values: Record<string, string>;
  errors: Errors;
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const base = `/awareness/campaigns/${props.campaignId}`;
  const provinces = [{ value: "", label: "" }, ...props.provinces.map((p) => ({ value: p, label: p }))];
  return (
    <Layout ctx={ctx} title={t("aw.links.new")}>
      <ErrorSummary ctx={ctx} errors={summary(errors)} />
      <h1>{t("aw.links.new")}</h1>
      <form method="get" action={`${base}/links/new`} class="search-form">
        <Input id="org_q" label={t("aw.orgsearch.label")} hint={t("aw.orgsearch.hint")} value={props.search} />
        <button type="submit">{t("aw.orgsearch.submit")}</button>
      </form>
      {props.search ? <p>{t("aw.orgsearch.found", { count: props.organisations.length })}</p> : null}
      <form method="post" action={`${base}/links/new`} novalidate>
        <Csrf ctx={ctx} />
        <Choices
          id="kind"
          type="radio"
          legend={t("aw.link.kind")}
          options={[
            { value: "organisation", label: t("aw.link.kind.organisation") },
            { value: "anonymous", label: t("aw.link.kind.anonymous") },
          ]}
          checked={[values.kind ?? "anonymous"]}
          error={errors.kind}
        />
        <Select
          id="organisation_id"
          label={t("aw.field.organisation")}
          value={values.organisation_id}
          error={errors.organisation_id}
          hint={t("aw.orgsearch.select_hint")}
          options={[{ value: "", label: "" }, ...props.organisations.map((o) => ({ value: o.id, label: o.name }))]}
        />
        <Select
          id="sector"
          label={t("aw.field.sector")}
          value={values.sector}
          error={errors.sector}
          options={[{ value: "", label: "" }, ...SECTOR_KEYS.map((s) => ({ value: s, label: sectorLabel(s, ctx.locale) }))]}
        />
        <Select id="province" label={t("aw.field.province")} value={values.province} error={errors.province} options={provinces} />
        <Input id="count" label={t("aw.field.count")} value={values.count ?? "1"} error={errors.count} inputmode="numeric" />
        <button type="submit">{t("aw.links.new")}</button> <a href={base}>{t("aw.cancel")}</a>
      </form>
    </Layout>
  );
}

export function LinksCreatedPage({ ctx, campaignId, links, origin }: { ctx: ViewContext; campaignId: string; links: NewLink[]; origin: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("aw.links.created")} wide>
      <h1>{t("aw.links.created")}</h1>
      <div class="notice warning">
        <p>{t("aw.links.created.once")}</p>
      </div>
      <ScrollRegion label={t("aw.links.created")}>
        <table>
          <caption class="visually-hidden">{t("aw.links.created")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("aw.field.sector")}</th>
              <th scope="col">{t("aw.field.province")}</th>
              <th scope="col">{t("aw.field.organisation")}</th>
              <th scope="col">{t("aw.links")}</th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr>
                <td>{sectorLabel(l.sector, ctx.locale)}</td>
                <td>{l.province}</td>
                <td>{l.organisationName ?? "-"}</td>
                <td>
                  <code class="survey-link">{`${origin}/survey/${l.token}`}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <p>
        <a href={`/awareness/campaigns/${campaignId}`}>{t("aw.back")}</a>
      </p>
    </Layout>
  );
}
