import { ScrollRegion } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { Csrf, type Errors, Input, Select } from "./fields";

export function WhoSawPage(props: { ctx: ViewContext; caseId: string; label: string; rows: { at: string; display_name: string | null; actor_role: string | null; action: string; outcome: string }[] }) {
  const { ctx } = props;
  const { t } = ctx;
  const title = t("case.whosaw.title", { label: props.label });
  return (
    <Layout ctx={ctx} title={title} wide>
      <h1>{title}</h1>
      <p>{t("case.whosaw.intro")}</p>
      <ScrollRegion label={title}>
        <table class="table">
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t("case.whosaw.when")}</th>
              <th scope="col">{t("case.whosaw.who")}</th>
              <th scope="col">{t("case.whosaw.role")}</th>
              <th scope="col">{t("case.whosaw.action")}</th>
              <th scope="col">{t("case.whosaw.outcome")}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>{r.at.replace("T", " ").slice(0, 19)}</td>
                <td>{r.display_name ?? "—"}</td>
                <td>{r.actor_role ?? ""}</td>
                <td>{r.action}</td>
                <td>{r.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <p>
        <a href={`/cases/${props.caseId}`}>{t("case.fb.back")}</a>
      </p>
    </Layout>
  );
}

export function SubjectAccessPage(props: { ctx: ViewContext; values: Record<string, string>; errors: Errors }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("case.sar.title")}>
      <ErrorSummary ctx={ctx} errors={Object.entries(props.errors).map(([field, message]) => ({ field, message }))} />
      <h1>{t("case.sar.title")}</h1>
      <p>{t("case.sar.intro")}</p>
      <form method="post" action="/subject-access">
        <Csrf ctx={ctx} />
        <Input id="name" label={t("case.sar.name")} value={props.values.name} error={props.errors.name} maxLength={200} />
        <Input id="dob" label={t("case.sar.dob")} hint={t("case.search.dob.hint")} value={props.values.dob} maxLength={10} />
        <Select id="format" label={t("case.sar.format")} value={props.values.format ?? "pdf"} options={[{ value: "pdf", label: "PDF" }, { value: "json", label: "JSON" }]} />
        <button type="submit" class="button">
          {t("case.sar.submit")}
        </button>
      </form>
    </Layout>
  );
}
