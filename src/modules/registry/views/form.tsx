import type { ComponentChildren } from "preact";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";

export interface FieldSpec {
  name: string;
  label: string;
  hint?: string;
  type?: "text" | "date" | "textarea" | "select" | "radios";
  options?: { value: string; label: string }[];
  maxLength?: number;
}

export interface FormError { field: string; message: string }

/** A labelled field in the GOV.UK pattern: hint, error, aria wiring, typed value kept on error. */
function Field(props: { spec: FieldSpec; value: string; error?: string }) {
  const { spec, value, error } = props;
  const id = spec.name;
  const describedBy = [spec.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const aria = { "aria-describedby": describedBy, "aria-invalid": error ? ("true" as const) : undefined };
  const head = (
    <>
      {spec.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {spec.hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
  if (spec.type === "radios") {
    return (
      <div class={error ? "form-group form-group-error" : "form-group"}>
        <fieldset aria-describedby={describedBy}>
          <legend>{spec.label}</legend>
          {head}
          {(spec.options ?? []).map((o, i) => (
            <div class="radio">
              <input type="radio" id={i === 0 ? id : `${id}-${o.value}`} name={id} value={o.value} checked={value === o.value} />
              <label for={i === 0 ? id : `${id}-${o.value}`}>{o.label}</label>
            </div>
          ))}
        </fieldset>
      </div>
    );
  }
  return (
    <div class={error ? "form-group form-group-error" : "form-group"}>
      <label for={id}>{spec.label}</label>
      {head}
      {spec.type === "textarea" ? (
        <textarea id={id} name={id} rows={4} maxLength={spec.maxLength ?? 2000} {...aria}>
          {value}
        </textarea>
      ) : spec.type === "select" ? (
        <select id={id} name={id} {...aria}>
          <option value="">—</option>
          {(spec.options ?? []).map((o) => (
            <option value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input type="text" id={id} name={id} value={value} maxLength={spec.maxLength ?? 200} inputMode={spec.type === "date" ? "numeric" : undefined} {...aria} />
      )}
    </div>
  );
}

/** A whole no-JavaScript form page: error summary on top, fields, save and cancel. */
export function FormPage(props: {
  ctx: ViewContext;
  title: string;
  action: string;
  cancel: string;
  fields: FieldSpec[];
  values: Record<string, string>;
  errors: FormError[];
  intro?: ComponentChildren;
}) {
  const { ctx } = props;
  const errorOf = (name: string) => props.errors.find((e) => e.field === name)?.message;
  return (
    <Layout ctx={ctx} title={props.title}>
      <ErrorSummary ctx={ctx} errors={props.errors} />
      <h1>{props.title}</h1>
      {props.intro}
      <form method="post" action={props.action} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />
        {props.fields.map((f) => (
          <Field spec={f} value={props.values[f.name] ?? ""} error={errorOf(f.name)} />
        ))}
        <button type="submit" class="button">
          {ctx.t("reg.form.save")}
        </button>{" "}
        <a href={props.cancel}>{ctx.t("reg.form.cancel")}</a>
      </form>
    </Layout>
  );
}
