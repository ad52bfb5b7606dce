import { ErrorSummary, Layout } from "../../platform/web/layout";
import type { ViewContext } from "../../platform/web/view";
import { Csrf } from "../../platform/web/fields";
import type { SsoLinkView } from "./sso-link";

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

/**
 * On the way to the provider (login, linking, logout): a page that continues with the Refresh
 * header (and this link), not a redirect. The CSP's form-action 'self' covers redirects that
 * follow a form POST, so a 303 from our form to the provider's origin is blocked by the browser;
 * a Refresh navigation is not a form submission.
 */
export function SsoLeavePage(props: { ctx: ViewContext; name: string; url: string; purpose: "login" | "logout" }) {
  const { ctx, name } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("sso.leave.title", { name })}>
      <h1>{t("sso.leave.title", { name })}</h1>
      <p class="lead">{t(props.purpose === "logout" ? "sso.leave.logout" : "sso.leave.login", { name })}</p>
      <p>
        <a class="button" href={props.url} id="sso-leave">
          {t("sso.leave.link", { name })}
        </a>
      </p>
    </Layout>
  );
}

/** Where the provider sends the browser back after RP-initiated logout (decision 0036). */
export function SsoLoggedOutPage(props: { ctx: ViewContext }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("sso.logout.title")}>
      <h1>{t("sso.logout.title")}</h1>
      <p class="lead" id="sso-logged-out">
        {t("sso.logout.intro")}
      </p>
      <p>{t("sso.logout.shared")}</p>
      <p>
        <a class="button" href="/login">
          {t("sso.logout.again")}
        </a>
      </p>
    </Layout>
  );
}

export function SsoAccountPage(props: { ctx: ViewContext; configured: boolean; name: string; linked: boolean; issuer?: string | null; passwordSession: boolean; error?: string }) {
  const { ctx, name } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("sso.account.title")}>
      <ErrorSummary ctx={ctx} errors={props.error ? [{ field: "sso-link", message: props.error }] : []} />
      <h1>{t("sso.account.title")}</h1>
      {props.configured ? (
        <>
          <p class="lead">{t("sso.account.intro", { name })}</p>
          <p class={props.linked ? "notice success" : "notice"} id="sso-status">
            {props.linked ? t("sso.account.linked", { name }) : t("sso.account.unlinked")}
          </p>
        </>
      ) : (
        <p id="sso-status">{t("sso.account.not_configured")}</p>
      )}
      {props.linked && props.issuer ? (
        <p id="sso-issuer">
          {t("sso.account.issuer")} <code>{props.issuer}</code>
        </p>
      ) : null}
      {!props.configured ? null : props.passwordSession ? (
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
      {/* A link left from when SSO was set up can still be removed after SSO is switched off. */}
      {props.linked ? (
        <form method="post" action="/account/sso/unlink">
          <p class="hint" id="sso-unlink-hint">
            {t("sso.account.unlink_hint")}
          </p>
          <Csrf ctx={ctx} />
          <button type="submit" class="secondary" id="sso-unlink" aria-describedby="sso-unlink-hint">
            {t("sso.account.unlink")}
          </button>
        </form>
      ) : null}
    </Layout>
  );
}

/**
 * The SSO link on the administrator's account page: linked or not and the issuer, never the
 * subject; a CSRF-checked POST removes it (and ends the account's SSO sessions).
 */
export function SsoLinkAdmin(props: { ctx: ViewContext; userId: string; link: SsoLinkView }) {
  const { ctx, link } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="sso-admin-title">
      <h2 id="sso-admin-title">{t("sso.admin.title")}</h2>
      <dl class="summary" id="sso-admin">
        <dt>{t("sso.admin.status")}</dt>
        <dd>{link.linked ? t("sso.admin.linked") : t("sso.admin.unlinked")}</dd>
        {link.linked ? (
          <>
            <dt>{t("sso.admin.issuer")}</dt>
            <dd>
              <code>{link.issuer ?? "-"}</code>
            </dd>
          </>
        ) : null}
      </dl>
      {link.linked ? (
        <form method="post" action={`/admin/accounts/${props.userId}/remove-sso`}>
          <p class="hint" id="sso-remove-hint">
            {t("sso.admin.remove_hint")}
          </p>
          <Csrf ctx={ctx} />
          <button type="submit" class="warning" id="sso-remove" aria-describedby="sso-remove-hint">
            {t("sso.admin.remove")}
          </button>
        </form>
      ) : null}
    </section>
  );
}
