import type { ComponentChildren } from "preact";
import type { ViewContext } from "../../../platform/web/view";

export type Errors = Record<string, string>;
export const summary = (errors: Errors) => Object.entries(errors).map(([field, message]) => ({ field, message }));

function Group(props: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? <p class="hint" id={`${props.id}-hint`}>{props.hint}</p> : null}
      {props.error ? <p class="field-error" id={`${props.id}-error`}>{props.error}</p> : null}
      {props.children}
    </div>
  );
}

const describedBy = (id: string, hint?: string, error?: string) => [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export function Input(props: { id: string; label: string; value?: string; hint?: string; error?: string; type?: "text" | "date" | "number"; inputmode?: "numeric" | "text" }) {
  return (
    <Group {...props}>
      <input
        type={(props.type ?? "text") as "text"}
        id={props.id}
        name={props.id}
        value={props.value ?? ""}
        inputMode={props.inputmode}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        aria-invalid={props.error ? "true" : undefined}
      />
    </Group>
  );
}

export function TextArea(props: { id: string; label: string; value?: string; hint?: string; error?: string; rows?: number }) {
  return (
    <Group {...props}>
      <textarea id={props.id} name={props.id} rows={props.rows ?? 4} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? "true" : undefined}>
        {props.value ?? ""}
      </textarea>
    </Group>
  );
}

export function Select(props: { id: string; label: string; value?: string; error?: string; hint?: string; options: { value: string; label: string }[] }) {
  return (
    <Group {...props}>
      <select id={props.id} name={props.id} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? "true" : undefined}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Group>
  );
}

/** A fieldset of checkboxes or radios; the first input carries the id the error summary links to. */
export function Choices(props: {
  id: string;
  name?: string;
  legend: string;
  type: "checkbox" | "radio";
  options: { value: string; label: string }[];
  checked: string[];
  error?: string;
  hint?: string;
  required?: boolean;
}) {
  const name = props.name ?? props.id;
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <fieldset aria-describedby={describedBy(props.id, props.hint, props.error)}>
        <legend>{props.legend}</legend>
        {props.hint ? <p class="hint" id={`${props.id}-hint`}>{props.hint}</p> : null}
        {props.error ? <p class="field-error" id={`${props.id}-error`}>{props.error}</p> : null}
        {props.options.map((o, i) => {
          const id = i === 0 ? props.id : `${props.id}-${i + 1}`;
          return (
            <div class={props.type}>
              <input type={props.type} id={id} name={name} value={o.value} checked={props.checked.includes(o.value)} />
              <label for={id}>{o.label}</label>
            </div>
          );
        })}
      </fieldset>
    </div>
  );
}

export function Csrf({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />;
}
