import type { ComponentChildren } from "preact";
import type { ViewContext } from "./view";

/**
 * Shared GOV.UK-style form parts: label, hint, field error, aria-describedby/aria-invalid wired to the
 * ids the error summary links to. Used by every module's views.
 */
export type Errors = Record<string, string>;

export function Csrf({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />;
}

const describedBy = (id: string, hint?: string, error?: string) => [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

function HintAndError(props: { id: string; hint?: string; error?: string }) {
  return (
    <>
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
    </>
  );
}

/** A form group: label, hint, error, then the control given as children. */
export function FormGroup(props: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <label for={props.id}>{props.label}</label>
      <HintAndError id={props.id} hint={props.hint} error={props.error} />
      {props.children}
    </div>
  );
}

export type TextFieldProps = {
  id: string;
  name?: string;
  label: string;
  type?: "text" | "email" | "password";
  value?: string;
  hint?: string;
  error?: string;
  maxLength?: number;
  multiline?: boolean;
  rows?: number;
  autocomplete?: string;
  inputmode?: "numeric" | "text" | "email";
  required?: boolean;
};

/** A text input (or textarea when multiline) in a form group. */
export function TextField(props: TextFieldProps) {
  // Each element's attributes spelt out: `{...common}` followed by more attributes would be a spread
  // object given new properties, a hidden class of its own on every render (decision 0082).
  const id = props.id;
  const name = props.name ?? id;
  const describedby = describedBy(id, props.hint, props.error);
  const invalid = props.error ? ("true" as const) : undefined;
  return (
    <FormGroup id={id} label={props.label} hint={props.hint} error={props.error}>
      {props.multiline ? (
        <textarea id={id} name={name} maxLength={props.maxLength} required={props.required} aria-describedby={describedby} aria-invalid={invalid} rows={props.rows ?? 3} value={props.value ?? ""} />
      ) : (
        <input
          type={(props.type ?? "text") as "text"}
          id={id}
          name={name}
          maxLength={props.maxLength}
          required={props.required}
          aria-describedby={describedby}
          aria-invalid={invalid}
          value={props.value ?? ""}
          autocomplete={props.autocomplete}
          inputMode={props.inputmode}
        />
      )}
    </FormGroup>
  );
}

/** A GET search form: one text field and its button (lists that are searched rather than dumped). */
export function SearchForm(props: { action: string; id: string; label: string; hint?: string; value: string; submit: string; maxLength?: number }) {
  return (
    <form method="get" action={props.action} class="search-form">
      <TextField id={props.id} label={props.label} hint={props.hint} value={props.value} maxLength={props.maxLength ?? 200} autocomplete="off" />
      <button type="submit" class="button">
        {props.submit}
      </button>
    </form>
  );
}

export function SelectField(props: {
  id: string;
  name?: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string;
  options: { value: string; label: string }[];
  placeholder?: string;
}) {
  return (
    <FormGroup id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <select id={props.id} name={props.name ?? props.id} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? "true" : undefined}>
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FormGroup>
  );
}

/** A fieldset of radio buttons; the first radio carries the id the error summary links to. */
export function Radios(props: { id: string; legend: string; value?: string; hint?: string; error?: string; options: { value: string; label: string }[] }) {
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <fieldset aria-describedby={describedBy(props.id, props.hint, props.error)}>
        <legend>{props.legend}</legend>
        <HintAndError id={props.id} hint={props.hint} error={props.error} />
        {props.options.map((o, i) => (
          <div class="checkbox">
            <input type="radio" id={i === 0 ? props.id : `${props.id}-${o.value}`} name={props.id} value={o.value} checked={o.value === props.value} />
            <label for={i === 0 ? props.id : `${props.id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </fieldset>
    </div>
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

/** A table wrapper that scrolls sideways; focusable so keyboard users can scroll it (WCAG 2.1.1). */
export function ScrollRegion(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable)
    <section class="table-scroll" tabIndex={0} aria-label={props.label}>
      {props.children}
    </section>
  );
}
