import type { ComponentChildren } from "preact";
import type { ViewContext } from "../../../platform/web/view";

export function Csrf({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />;
}

const describedBy = (id: string, hint?: string, error?: string) => [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

function Group(props: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren }) {
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

export function TextField(props: { id: string; name?: string; label: string; value?: string; hint?: string; error?: string; maxLength?: number; multiline?: boolean }) {
  const common = {
    id: props.id,
    name: props.name ?? props.id,
    maxLength: props.maxLength,
    "aria-describedby": describedBy(props.id, props.hint, props.error),
    "aria-invalid": props.error ? ("true" as const) : undefined,
  };
  return (
    <Group {...props}>
      {props.multiline ? <textarea {...common} rows={3} value={props.value ?? ""} /> : <input type="text" {...common} value={props.value ?? ""} />}
    </Group>
  );
}

export function SelectField(props: { id: string; label: string; value?: string; hint?: string; error?: string; options: { value: string; label: string }[]; placeholder?: string }) {
  return (
    <Group {...props}>
      <select id={props.id} name={props.id} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? "true" : undefined}>
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Group>
  );
}

/** A fieldset of radio buttons; the first radio carries the id the error summary links to. */
export function Radios(props: { id: string; legend: string; value?: string; hint?: string; error?: string; options: { value: string; label: string }[] }) {
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <fieldset aria-describedby={describedBy(props.id, props.hint, props.error)}>
        <legend>{props.legend}</legend>
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

/** A table wrapper that scrolls sideways; focusable so keyboard users can scroll it (WCAG 2.1.1). */
export function ScrollRegion(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable)
    <section class="table-scroll" tabIndex={0} aria-label={props.label}>
      {props.children}
    </section>
  );
}
