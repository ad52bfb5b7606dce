import type { ViewContext } from "../../../platform/web/view";

/** A labelled input in the GOV.UK pattern: hint, error message, aria wiring. */
export function Field(props: {
  id: string;
  label: string;
  type?: "text" | "email" | "password";
  value?: string;
  hint?: string;
  error?: string;
  autocomplete?: string;
  inputmode?: "numeric" | "text" | "email";
  maxLength?: number;
  required?: boolean;
}) {
  const describedBy = [props.hint ? `${props.id}-hint` : "", props.error ? `${props.id}-error` : ""].filter(Boolean).join(" ");
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
      <input
        {...({ type: props.type ?? "text" } as { type: "text" })}
        id={props.id}
        name={props.id}
        value={props.value ?? ""}
        autocomplete={props.autocomplete}
        inputMode={props.inputmode}
        maxLength={props.maxLength}
        required={props.required}
        aria-describedby={describedBy || undefined}
        aria-invalid={props.error ? "true" : undefined}
      />
    </div>
  );
}

export function Csrf({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />;
}
