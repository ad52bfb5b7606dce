import { extend } from "../../../platform/objects";
import { type TextFieldProps, TextField } from "../../../platform/web/fields";

export { ButtonForm, Checkbox, Csrf, type Errors, Notice, SelectField as Select } from "../../../platform/web/fields";

/** The cases/meetings text field: at most 2000 characters and a 4-row textarea unless told otherwise. */
export function Input(props: Omit<TextFieldProps, "type" | "rows">) {
  // Not `{...props} maxLength rows`: props given new properties after a spread (decision 0082).
  return TextField(extend(props, { maxLength: props.maxLength ?? 2000, rows: 4 }));
}
