import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { LinkKind } from "../migrations";
import type { QuestionRow } from "../store";
import { Csrf } from "./form";

/** French wording for French readers; Dutch otherwise (English falls back to Dutch). */
const wording = (ctx: ViewContext, o: { text_nl: string; text_fr: string }) => (ctx.locale === "fr" ? o.text_fr : o.text_nl);
const lang = (ctx: ViewContext) => (ctx.locale === "fr" ? "fr" : "nl");

export function SurveyPage(props: {
  ctx: ViewContext;
  token: string;
  kind: LinkKind;
  questions: QuestionRow[];
  values: Record<string, string[]>;
  errors: { field: string; message: string }[];
}) {
  const { ctx, questions, values, errors } = props;
  const { t } = ctx;
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  return (
    <Layout ctx={ctx} title={t("aw.survey.title")}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <h1>{t("aw.survey.title")}</h1>
      <p>{t("aw.survey.intro")}</p>
      <div class="notice">
        <p>{t(props.kind === "anonymous" ? "aw.survey.privacy.anonymous" : "aw.survey.privacy.organisation")}</p>
      </div>
      <form method="post" action={`/survey/${props.token}`} novalidate>
        <Csrf ctx={ctx} />
        {questions.map((q, i) => {
          const field = `q_${q.id}`;
          const error = errorOf(field);
          const chosen = values[field] ?? [];
          const title = (
            <span lang={lang(ctx)}>
              {i + 1}. {wording(ctx, q)}
              {q.required ? <span class="hint"> ({t("aw.survey.required")})</span> : null}
            </span>
          );
          const errorLine = error ? <p class="field-error" id={`${field}-error`}>{error}</p> : null;
          const group = error ? "form-group form-group-error" : "form-group";
          if (q.kind === "text") {
            return (
              <div class={group}>
                <label for={field}>{title}</label>
                {errorLine}
                <textarea id={field} name={field} rows={4} maxLength={2000} aria-describedby={error ? `${field}-error` : undefined}>
                  {chosen[0] ?? ""}
                </textarea>
              </div>
            );
          }
          const options =
            q.kind === "scale"
              ? [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: n === 1 ? `1 (${t("aw.survey.scale.low")})` : n === 5 ? `5 (${t("aw.survey.scale.high")})` : String(n) }))
              : q.options.map((o) => ({ value: o.id, label: wording(ctx, o) }));
          const type = q.kind === "multiple" ? "checkbox" : "radio";
          return (
            <div class={group}>
              <fieldset aria-describedby={error ? `${field}-error` : undefined}>
                <legend>{title}</legend>
                {errorLine}
                {options.map((o, j) => {
                  const id = j === 0 ? field : `${field}-${j + 1}`;
                  return (
                    <div class={type}>
                      <input type={type} id={id} name={field} value={o.value} checked={chosen.includes(o.value)} />
                      <label for={id} lang={lang(ctx)}>
                        {o.label}
                      </label>
                    </div>
                  );
                })}
              </fieldset>
            </div>
          );
        })}
        <button type="submit">{t("aw.survey.submit")}</button>
      </form>
    </Layout>
  );
}

export function SurveyMessagePage({ ctx, state }: { ctx: ViewContext; state: "done" | "used" | "unknown" }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t(`aw.survey.${state}.title`)}>
      <h1>{t(`aw.survey.${state}.title`)}</h1>
      <p>{t(`aw.survey.${state}.body`)}</p>
    </Layout>
  );
}
