import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { SECTOR_KEYS, sectorLabel } from "../../identity/sectors";
import { Choices, Csrf, type Errors, Input, Select, summary, TextArea } from "./form";

export function SessionFormPage(props: { ctx: ViewContext; campaignId: string; provinces: string[]; values: Record<string, string | string[]>; errors: Errors }) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const v = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : "");
  const sectors = Array.isArray(values.sectors) ? values.sectors : values.sectors ? [values.sectors as string] : [];
  const base = `/awareness/campaigns/${props.campaignId}`;
  return (
    <Layout ctx={ctx} title={t("aw.session.new")}>
      <ErrorSummary ctx={ctx} errors={summary(errors)} />
      <h1>{t("aw.session.new")}</h1>
      <form method="post" action={`${base}/sessions/new`} novalidate>
        <Csrf ctx={ctx} />
        <Input id="held_on" type="date" label={t("aw.field.held_on")} value={v("held_on")} error={errors.held_on} />
        <Choices
          id="sectors"
          type="checkbox"
          legend={t("aw.field.sectors")}
          options={SECTOR_KEYS.map((s) => ({ value: s, label: sectorLabel(s, ctx.locale) }))}
          checked={sectors}
          error={errors.sectors}
        />
        <Select
          id="province"
          label={t("aw.field.province")}
          value={v("province")}
          error={errors.province}
          options={[{ value: "", label: t("aw.field.province.none") }, ...props.provinces.map((p) => ({ value: p, label: p }))]}
        />
        <Input id="municipalities" label={t("aw.field.municipalities")} hint={t("aw.field.municipalities.hint")} value={v("municipalities")} error={errors.municipalities} />
        <Input id="participants" label={t("aw.field.participants")} value={v("participants")} error={errors.participants} inputmode="numeric" />
        <TextArea id="materials" label={t("aw.field.materials")} value={v("materials")} error={errors.materials} />
        <button type="submit">{t("aw.save")}</button> <a href={base}>{t("aw.cancel")}</a>
      </form>
    </Layout>
  );
}
