import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { ScrollRegion } from "../../../platform/web/fields";
import { QUESTION_KINDS } from "../migrations";
import { OBJECTIONS, objectionLabelKey } from "../objections";
import { OPTION_ROWS } from "../schema";
import { Choices, Csrf, type Errors, Input, summary } from "./form";

export function QuestionFormPage(props: { ctx: ViewContext; campaignId: string; values: Record<string, string>; errors: Errors }) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  const base = `/awareness/campaigns/${props.campaignId}`;
  return (
    <Layout ctx={ctx} title={t("aw.question.new")} wide>
      <ErrorSummary ctx={ctx} errors={summary(errors)} />
      <h1>{t("aw.question.new")}</h1>
      <form method="post" action={`${base}/questions/new`} novalidate>
        <Csrf ctx={ctx} />
        <Choices
          id="kind"
          type="radio"
          legend={t("aw.field.kind")}
          options={QUESTION_KINDS.map((k) => ({ value: k, label: t(`aw.kind.${k}`) }))}
          checked={[values.kind ?? ""]}
          error={errors.kind}
        />
        <Input id="text_nl" label={t("aw.field.text_nl")} value={values.text_nl} error={errors.text_nl} />
        <Input id="text_fr" label={t("aw.field.text_fr")} value={values.text_fr} error={errors.text_fr} />
        <div class="checkbox">
          <input type="checkbox" id="required" name="required" value="1" checked={values.required === "1"} />
          <label for="required">{t("aw.field.required")}</label>
        </div>
        <div class={errors.options ? "form-group form-group-error" : "form-group"}>
          <h2 id="options">{t("aw.options")}</h2>
          {errors.options ? <p class="field-error">{errors.options}</p> : null}
          <ScrollRegion label={t("aw.options")}>
            <table>
              <caption class="visually-hidden">{t("aw.options")}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("aw.option.nl")}</th>
                  <th scope="col">{t("aw.option.fr")}</th>
                  <th scope="col">{t("aw.option.objection")}</th>
                </tr>
              </thead>
              <tbody>
                {Array.from({ length: OPTION_ROWS }, (_, i) => {
                  const n = i + 1;
                  const label = t("aw.option.n", { n });
                  return (
                    <tr>
                      <th scope="row">{n}</th>
                      <td>
                        <input type="text" name={`option_${n}_nl`} aria-label={`${label}: ${t("aw.option.nl")}`} value={values[`option_${n}_nl`] ?? ""} />
                      </td>
                      <td>
                        <input type="text" name={`option_${n}_fr`} aria-label={`${label}: ${t("aw.option.fr")}`} value={values[`option_${n}_fr`] ?? ""} />
                      </td>
                      <td>
                        <select name={`option_${n}_objection`} aria-label={`${label}: ${t("aw.option.objection")}`}>
                          <option value="">{t("aw.option.objection.none")}</option>
                          {OBJECTIONS.map((o) => (
                            <option value={o} selected={values[`option_${n}_objection`] === o}>
                              {t(objectionLabelKey(o))}
                            </option>
                          ))}
                        </select>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollRegion>
        </div>
        <button type="submit">{t("aw.save")}</button> <a href={base}>{t("aw.cancel")}</a>
      </form>
    </Layout>
  );
}
