import { Csrf, TextField } from "../../../platform/web/fields";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";

export type FieldErrors = { field: string; message: string }[];

/** The confirmation step before an administrator resets an account's second factor (decision 0045). */
export function MfaResetPage(props: { ctx: ViewContext; userId: string; displayName: string; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("rec.title")}>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "identity_verified", message: props.error }] : []} />
      <h1>
        {t("rec.title")}: {props.displayName}
      </h1>
      <p>{t("rec.intro")}</p>
      <p>{t("rec.what")}</p>
      <ul id="mfa-reset-effects">
        <li>{t("rec.what.totp")}</li>
        <li>{t("rec.what.password")}</li>
        <li>{t("rec.what.sessions")}</li>
        <li>{t("rec.what.sso")}</li>
        <li>{t("rec.what.link")}</li>
        <li>{t("rec.what.mail")}</li>
      </ul>
      <form method="post" action={`/admin/accounts/${props.userId}/mfa-reset`} novalidate>
        <Csrf ctx={ctx} />
        <div class={props.error ? "form-group form-group-error" : "form-group"}>
          <fieldset aria-describedby={props.error ? "identity_verified-error" : undefined}>
            <legend>{t("rec.confirm.legend")}</legend>
            {props.error ? (
              <p class="field-error" id="identity_verified-error">
                {props.error}
              </p>
            ) : null}
            <div class="checkbox">
              <input type="checkbox" id="identity_verified" name="identity_verified" value="yes" aria-invalid={props.error ? "true" : undefined} />
              <label for="identity_verified">{t("rec.confirm.label")}</label>
            </div>
          </fieldset>
        </div>
        <button type="submit" class="warning">
          {t("rec.submit")}
        </button>{" "}
        <a href={`/admin/accounts/${props.userId}`}>{t("rec.cancel")}</a>
      </form>
    </Layout>
  );
}

export interface DetailsFormView {
  values?: { display_name: string; email: string };
  errors?: FieldErrors;
  saved?: boolean;
}

/** The administrator's form for an account's name and e-mail address (on /admin/accounts/:id). */
export function AdminDetailsForm(props: { ctx: ViewContext; userId: string; current: { display_name: string; email: string }; view: DetailsFormView }) {
  const { ctx, view } = props;
  const { t } = ctx;
  const values = view.values ?? props.current;
  const err = (f: string) => view.errors?.find((e) => e.field === f)?.message;
  return (
    <section aria-labelledby="account-details-heading">
      <h2 id="account-details-heading">{t("det.title")}</h2>
      {view.saved ? (
        <div class="notice" role="status" id="account-details-saved">
          <p>{t("det.saved")}</p>
        </div>
      ) : null}
      <form method="post" action={`/admin/accounts/${props.userId}/details`} novalidate>
        <Csrf ctx={ctx} />
        <TextField id="display_name" label={t("det.name")} value={values.display_name} maxLength={120} error={err("display_name")} autocomplete="off" />
        <TextField id="email" label={t("det.email")} type="email" value={values.email} maxLength={254} hint={t("det.email.hint")} error={err("email")} autocomplete="off" />
        <button type="submit" class="secondary">
          {t("det.submit")}
        </button>
      </form>
    </section>
  );
}

/** The person's own name on /account (the e-mail address stays with the administrator, decision 0045). */
export function OwnNameForm(props: { ctx: ViewContext; value: string; error?: string; saved?: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="own-name-heading">
      <h2 id="own-name-heading">{t("det.own.title")}</h2>
      {props.saved ? (
        <div class="notice" role="status" id="own-name-saved">
          <p>{t("det.own.saved")}</p>
        </div>
      ) : null}
      <form method="post" action="/account/name" novalidate>
        <Csrf ctx={ctx} />
        <TextField id="display_name" label={t("det.name")} hint={t("det.own.hint")} value={props.value} maxLength={120} error={props.error} autocomplete="name" />
        <button type="submit" class="secondary">
          {t("det.own.submit")}
        </button>
      </form>
    </section>
  );
}
