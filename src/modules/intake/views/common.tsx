import type { MessageKey } from "../../../platform/i18n";
import type { ViewContext } from "../../../platform/web/view";
import type { FormError } from "../schema";

export function Csrf({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken ?? ""} />;
}

/** The text of one form error, naming the field's own label. */
export function errorText(ctx: ViewContext, e: FormError): string {
  const label = ctx.t(`intake.form.${e.field}` as MessageKey);
  return ctx.t(`intake.error.${e.code}` as MessageKey, { label, limit: e.limit ?? "" });
}

export const k = (key: string) => key as MessageKey;

/** Hint and error lines of a field, with the ids that aria-describedby points at. */
export function HintAndError(props: { id: string; hint?: string; error?: string }) {
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

export const describedBy = (id: string, hint?: string, error?: string) =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export function Flags(props: { ctx: ViewContext; minor: boolean; dangerNow: boolean; duplicate?: boolean; identityUnknown?: boolean }) {
  const { t } = props.ctx;
  return (
    <>
      {props.dangerNow ? <span class="tag red">{t("intake.flag.danger_now")}</span> : null} {props.minor ? <span class="tag">{t("intake.flag.minor")}</span> : null}{" "}
      {props.duplicate ? <span class="tag grey">{t("intake.flag.duplicate")}</span> : null}{" "}
      {props.identityUnknown ? <span class="tag grey">{t("intake.flag.identity_unknown")}</span> : null}
    </>
  );
}
