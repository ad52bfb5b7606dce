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

/** The person's own language on /account: a plain POST form (works without JavaScript). */
export function AccountLanguageForm(props: { ctx: ViewContext; value: string; saved?: boolean; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="language-heading">
      <h2 id="language-heading">{t("lang.account.title")}</h2>
      {props.saved ? (
        <div class="notice" role="status" id="language-saved">
          <p>{t("lang.account.saved")}</p>
        </div>
      ) : null}
      <form method="post" action="/account/language" novalidate>
        <Csrf ctx={ctx} />
        <LanguageSelect id="language" label={t("lang.account.label")} hint={t("lang.account.hint")} value={props.value} error={props.error} />
        <button type="submit" class="secondary">
          {t("lang.account.submit")}
        </button>
      </form>
    </section>
  );
}

/** An administrator sets an account's language (e.g. before its first login): on the account's admin page. */
export function AdminLanguageForm(props: { ctx: ViewContext; userId: string; value: string; saved?: boolean; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="account-language-heading">
      <h2 id="account-language-heading">{t("lang.account.title")}</h2>
      {props.saved ? (
        <div class="notice" role="status" id="account-language-saved">
          <p>{t("lang.admin.saved")}</p>
        </div>
      ) : null}
      <form method="post" action={`/admin/accounts/${props.userId}/language`} novalidate>
        <Csrf ctx={ctx} />
        <LanguageSelect id="language" label={t("lang.admin.label")} hint={t("lang.admin.hint")} value={props.value} error={props.error} />
        <button type="submit" class="secondary">
          {t("lang.admin.submit")}
        </button>
      </form>
    </section>
  );
}
