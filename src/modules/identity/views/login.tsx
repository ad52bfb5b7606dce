import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { Csrf, TextField } from "../../../platform/web/fields";

export function LoginPage(props: { ctx: ViewContext; email: string; next: string; error?: string; oidc: boolean; oidcName?: string | null; ssoError?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.login.title")}>
      <ErrorSummary ctx={ctx} errors={[...(props.error ? [{ field: "email", message: props.error }] : []), ...(props.ssoError ? [{ field: "sso-login", message: props.ssoError }] : [])]} />
      <h1>{t("id.login.title")}</h1>
      <p class="lead">{t("id.login.intro")}</p>
      <form method="post" action="/login" novalidate>
        <Csrf ctx={ctx} />
        <input type="hidden" name="next" value={props.next} />
        <TextField id="email" label={t("id.login.email")} type="email" value={props.email} autocomplete="username" maxLength={254} error={props.error} />
        <TextField id="password" label={t("id.login.password")} type="password" autocomplete="current-password" maxLength={128} />
        <button type="submit">{t("id.login.submit")}</button>
      </form>
      <p>
        <a href="/account/reset">{t("id.login.forgot")}</a>
      </p>
      {props.oidc ? (
        <>
          <p>{t("id.login.or")}</p>
          {/* Single sign-on: a form POST (CSRF-checked, works without JavaScript) starts the round trip. */}
          <form method="post" action="/login/oidc" class={props.ssoError ? "form-group form-group-error" : undefined}>
            {props.ssoError ? (
              <p class="field-error" id="sso-login-error">
                {props.ssoError}
              </p>
            ) : null}
            <Csrf ctx={ctx} />
            <input type="hidden" name="next" value={props.next} />
            <button type="submit" id="sso-login" class="secondary" aria-describedby={props.ssoError ? "sso-login-error" : undefined}>
              {props.oidcName ? t("sso.login.with", { name: props.oidcName }) : t("id.login.oidc")}
            </button>
          </form>
        </>
      ) : null}
    </Layout>
  );
}

export function MfaPage(props: { ctx: ViewContext; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.mfa.title")}>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "code", message: props.error }] : []} />
      <h1>{t("id.mfa.title")}</h1>
      <p class="lead">{t("id.mfa.intro")}</p>
      <form method="post" action="/login/mfa" novalidate>
        <Csrf ctx={ctx} />
        <TextField id="code" label={t("id.mfa.code")} autocomplete="one-time-code" inputmode="text" maxLength={20} error={props.error} />
        <button type="submit">{t("id.mfa.submit")}</button>
      </form>
    </Layout>
  );
}

export function EnrolPage(props: { ctx: ViewContext; qr: string; secret: string; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  const grouped = props.secret.match(/.{1,4}/g)?.join(" ") ?? props.secret;
  return (
    <Layout ctx={ctx} title={t("id.enrol.title")}>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "code", message: props.error }] : []} />
      <h1>{t("id.enrol.title")}</h1>
      <p class="lead">{t("id.enrol.intro")}</p>
      <p>
        <img src={props.qr} alt={t("id.enrol.qr")} width={220} height={220} />
      </p>
      <dl class="summary">
        <dt>{t("id.enrol.key")}</dt>
        <dd>
          <code id="totp-secret" data-secret={props.secret}>
            {grouped}
          </code>
        </dd>
      </dl>
      <form method="post" action="/account/mfa/setup" novalidate>
        <Csrf ctx={ctx} />
        <TextField id="code" label={t("id.enrol.code")} hint={t("id.enrol.code.hint")} autocomplete="one-time-code" inputmode="numeric" maxLength={8} error={props.error} />
        <button type="submit">{t("id.enrol.submit")}</button>
      </form>
    </Layout>
  );
}

export function RecoveryCodesPage(props: { ctx: ViewContext; codes: string[]; next: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.recovery.title")}>
      <h1>{t("id.recovery.title")}</h1>
      <p class="lead">{t("id.recovery.intro")}</p>
      <ul class="recovery-codes" id="recovery-codes">
        {props.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href={props.next}>
          {t("id.recovery.continue")}
        </a>
      </p>
    </Layout>
  );
}
