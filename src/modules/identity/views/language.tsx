import { type Locale, LOCALES } from "../../../platform/i18n/define";
import type { ViewContext } from "../../../platform/web/view";
import { Csrf } from "../../../platform/web/fields";

/** Each language named in itself (marked with its lang, WCAG 3.1.2), as in the header's language switch. */
export const LANGUAGE_NAMES: Record<Locale, string> = { nl: "Nederlands", fr: "Français", en: "English" };

/** A select of the three languages in a form group, with hint and error wired for the error summary. */
export function LanguageSelect(props: { id: string; label: string; hint: string; value: string; error?: string }) {
  const describedBy = [`${props.id}-hint`, props.error ? `${props.id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "form-group form-group-error" : "form-group"}>
      <label for={props.id}>{props.label}</label>
      <p class="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      <select id={props.id} name={props.id} aria-describedby={describedBy} aria-invalid={props.error ? "true" : undefined}>
        {LOCALES.map((l) => (
          <option value={l} lang={l} selected={l === props.value}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The language form: the person's own on /account, or an administrator's for an account (e.g. before its
 * first login) on its admin page. A plain POST form (works without JavaScript).
 */
function LanguageForm(props: { ctx: ViewContext; who: "self" | "admin"; action: string; value: string; saved?: boolean; error?: string }) {
  const { ctx, who } = props;
  const { t } = ctx;
  const idPrefix = who === "self" ? "language" : "account-language";
  return (
    <section aria-labelledby={`${idPrefix}-heading`}>
      <h2 id={`${idPrefix}-heading`}>{t("lang.account.title")}</h2>
      {props.saved ? (
        <div class="notice" role="status" id={`${idPrefix}-saved`}>
          <p>{t(who === "self" ? "lang.account.saved" : "lang.admin.saved")}</p>
        </div>
      ) : null}
      <form method="post" action={props.action} novalidate>
        <Csrf ctx={ctx} />
        <LanguageSelect
          id="language"
          label={t(who === "self" ? "lang.account.label" : "lang.admin.label")}
          hint={t(who === "self" ? "lang.account.hint" : "lang.admin.hint")}
          value={props.value}
          error={props.error}
        />
        <button type="submit" class="secondary">
          {t(who === "self" ? "lang.account.submit" : "lang.admin.submit")}
        </button>
      </form>
    </section>
  );
}

export const AccountLanguageForm = (props: { ctx: ViewContext; value: string; saved?: boolean; error?: string }) => <LanguageForm ctx={props.ctx} value={props.value} saved={props.saved} error={props.error} who="self" action="/account/language" />;

export const AdminLanguageForm = (props: { ctx: ViewContext; userId: string; value: string; saved?: boolean; error?: string }) => (
  <LanguageForm ctx={props.ctx} value={props.value} saved={props.saved} error={props.error} who="admin" action={`/admin/accounts/${props.userId}/language`} />
);
