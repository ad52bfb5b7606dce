import type { MessageKey } from "../../../platform/i18n";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { Csrf, TextField } from "../../../platform/web/fields";

export type PasswordErrors = { field: "password" | "confirm" | "token"; message: string }[];

/** Set a new password: invitation, reset or change. Hidden fields carry the token or return path. */
export function PasswordPage(props: { ctx: ViewContext; title: MessageKey; intro: MessageKey; action: string; hidden: Record<string, string>; errors: PasswordErrors }) {
  const { ctx } = props;
  const { t } = ctx;
  const err = (f: string) => props.errors.find((e) => e.field === f)?.message;
  return (
    <Layout ctx={ctx} title={t(props.title)}>
      <ErrorSummary ctx={ctx} errors={props.errors.map((e) => ({ field: e.field === "token" ? "password" : e.field, message: e.message }))} />
      <h1>{t(props.title)}</h1>
      <p class="lead">{t(props.intro)}</p>
      <form method="post" action={props.action} novalidate>
        <Csrf ctx={ctx} />
        {Object.entries(props.hidden).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <TextField id="password" label={t("id.password.new")} type="password" hint={t("id.password.hint")} autocomplete="new-password" maxLength={128} error={err("password") ?? err("token")} />
        <TextField id="confirm" label={t("id.password.confirm")} type="password" autocomplete="new-password" maxLength={128} error={err("confirm")} />
        <button type="submit">{t("id.password.submit")}</button>
      </form>
    </Layout>
  );
}

export function ResetRequestPage(props: { ctx: ViewContext; sent: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.reset.title")}>
      <h1>{t("id.reset.title")}</h1>
      {props.sent ? (
        <p class="notice" role="status">
          {t("id.reset.sent")}
        </p>
      ) : (
        <>
          <p class="lead">{t("id.reset.intro")}</p>
          <form method="post" action="/account/reset" novalidate>
            <Csrf ctx={ctx} />
            <TextField id="email" label={t("id.login.email")} type="email" autocomplete="username" maxLength={254} />
            <button type="submit">{t("id.reset.submit")}</button>
          </form>
        </>
      )}
    </Layout>
  );
}

export function ReauthPage(props: { ctx: ViewContext; next: string; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.reauth.title")}>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "password", message: props.error }] : []} />
      <h1>{t("id.reauth.title")}</h1>
      <p class="lead">{t("id.reauth.intro")}</p>
      <form method="post" action="/account/reauth" novalidate>
        <Csrf ctx={ctx} />
        <input type="hidden" name="next" value={props.next} />
        <TextField id="password" label={t("id.login.password")} type="password" autocomplete="current-password" maxLength={128} error={props.error} />
        <TextField id="code" label={t("id.mfa.code")} autocomplete="one-time-code" maxLength={20} />
        <button type="submit">{t("id.reauth.submit")}</button>
      </form>
    </Layout>
  );
}
