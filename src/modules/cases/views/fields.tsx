import type { ComponentChildren } from "preact";
import type { ViewContext } from "../../../platform/web/view";

/** Small GOV.UK-style form parts for the cases and meetings pages (error linked to each field). */
export function Csrf({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />;
}

export type Errors = Record<string, string>;

const describedBy = (id: string, hint?: string, error?: string) => [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export function Field(props: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}

export function Input(props: { id: string; name?: string; label: string; value?: string; hint?: string; error?: string; multiline?: boolean; maxLength?: number }) {
  const common = {
    id: props.id,
    name: props.name ?? props.id,
    maxLength: props.maxLength ?? 2000,
    "aria-describedby": describedBy(props.id, props.hint, props.error),
    "aria-invalid": props.error ? ("true" as const) : undefined,
  };
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {props.multiline ? <textarea {...common} rows={4} value={props.value ?? ""} /> : <input type="text" {...common} value={props.value ?? ""} />}
    </Field>
  );
}

export function Select(props: { id: string; name?: string; label: string; value?: string; hint?: string; error?: string; options: { value: string; label: string }[]; placeholder?: string }) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <select id={props.id} name={props.name ?? props.id} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? "true" : undefined}>
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function Checkbox(props: { id: string; name: string; value: string; label: string; checked?: boolean }) {
  return (
    <div class="checkbox">
      <input type="checkbox" id={props.id} name={props.name} value={props.value} checked={props.checked} />
      <label for={props.id}>{props.label}</label>
    </div>
  );
}

/** A one-button form (POST + redirect), optionally with hidden fields. */
export function ButtonForm(props: { ctx: ViewContext; action: string; label: string; fields?: Record<string, string>; secondary?: boolean }) {
  return (
    <form method="post" action={props.action} class="inline-form">
      <Csrf ctx={props.ctx} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={props.secondary ? "button secondary" : "button"}>
        {props.label}
      </button>
    </form>
  );
}

export function Notice(props: { children: ComponentChildren }) {
  return (
    <div class="notice" role="status">
      {props.children}
    </div>
  );
}
