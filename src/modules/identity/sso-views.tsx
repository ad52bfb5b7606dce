import { ErrorSummary, Layout } from "../../platform/web/layout";
import type { ViewContext } from "../../platform/web/view";
import { Csrf } from "../../platform/web/fields";

/**
 * After the provider's callback: a same-site step to the next page. The session cookie is
 * SameSite=Strict, so a plain redirect at the end of the provider's cross-site redirect chain
 * would arrive without it; the Refresh header (and this link, without it) starts a new,
 * same-site navigation that carries the cookie.
 */
export function SsoContinuePage(props: { ctx: ViewContext; next: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("sso.continue.title")}>
      <h1>{t("sso.continue.title")}</h1>
      <p class="lead">{t("sso.continue.intro")}</p>
      <p>
        <a class="button" href={props.next} id="sso-continue">
          {t("sso.continue.link")}
        </a>
      </p>
    </Layout>
  );
}

export function SsoAccountPage(props: { ctx: ViewContext; configured: boolean; name: string; linked: boolean; passwordSession: boolean; error?: string }) {
  const { ctx, name } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("sso.account.title")}>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "sso-link", message: props.error }] : []} />
      <h1>{t("sso.account.title")}</h1>
      {!props.configured ? (
        <p>{t("sso.account.not_configured")}</p>
      ) : (
        <>
          <p class="lead">{t("sso.account.intro", { name })}</p>
          <p class={props.linked ? "notice success" : "notice"} id="sso-status">
            {props.linked ? t("sso.account.linked", { name }) : t("sso.account.unlinked")}
          </p>
          {props.passwordSession ? (
            <>
              <p class="hint">{t("sso.account.reauth")}</p>
              <form method="post" action="/account/sso/link" class={props.error ? "form-group form-group-error" : undefined}>
                {props.error ? (
                  <p class="field-error" id="sso-link-error">
                    {props.error}
                  </p>
                ) : null}
                <Csrf ctx={ctx} />
                <button type="submit" id="sso-link" aria-describedby={props.error ? "sso-link-error" : undefined}>
                  {props.linked ? t("sso.account.relink") : t("sso.account.link", { name })}
                </button>
              </form>
            </>
          ) : (
            <p>{t("sso.account.password_session")}</p>
          )}
          {props.linked ? (
            <form method="post" action="/account/sso/unlink">
              <Csrf ctx={ctx} />
              <button type="submit" class="secondary">
                {t("sso.account.unlink")}
              </button>
            </form>
          ) : null}
        </>
      )}
    </Layout>
  );
}
