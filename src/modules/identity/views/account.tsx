import type { MessageKey } from "../../../platform/i18n";
import type { Actor } from "../../../platform/policy/actor";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { Csrf, ScrollRegion } from "../../../platform/web/fields";
import type { SsoLinkView } from "../sso-link";
import { AccountLanguageForm } from "./language";
import { OwnNameForm } from "./recovery";

export interface AccountView {
  email: string;
  actor: Actor;
  livcNames: Record<string, string>;
  sessions: { id: string; created_at: string; last_seen_at: string; auth_method: string }[];
  recoveryLeft: number;
  /** The account's single sign-on link (issuer only, never the subject); changed on /account/sso. */
  sso?: SsoLinkView;
  /** The account's language (mails, UI default after login) and the outcome of changing it. */
  language: string;
  languageSaved?: boolean;
  languageError?: string;
  /** The own-name form (decision 0045): the typed value and error after a refused change, or saved. */
  nameValue?: string;
  nameError?: string;
  nameSaved?: boolean;
}

export function roleLabels(ctx: ViewContext, actor: Actor, livcNames: Record<string, string> = {}): string[] {
  const out: string[] = [];
  if (actor.isAdmin) out.push(ctx.t("id.role.admin"));
  if (actor.isRegionalAnalyst) out.push(ctx.t("id.role.regional_analyst"));
  if (actor.isDpo) out.push(ctx.t("id.role.dpo"));
  for (const m of actor.memberships) out.push(`${ctx.t(`id.role.${m.role}` as MessageKey)} (${livcNames[m.livcId] ?? m.livcId})`);
  return out;
}

export function AccountPage(props: { ctx: ViewContext; view: AccountView }) {
  const { ctx, view } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.account.title")}>
      <ErrorSummary ctx={ctx} errors={[...(view.nameError ? [{ field: "display_name", message: view.nameError }] : []), ...(view.languageError ? [{ field: "language", message: view.languageError }] : [])]} />
      <h1>{t("id.account.title")}</h1>
      <dl class="summary">
        <dt>{t("id.account.name")}</dt>
        <dd>{view.actor.displayName}</dd>
        <dt>{t("id.account.email")}</dt>
        <dd>{view.email}</dd>
        <dt>{t("id.account.roles")}</dt>
        <dd>
          <ul>
            {roleLabels(ctx, view.actor, view.livcNames).map((r) => (
              <li>{r}</li>
            ))}
          </ul>
        </dd>
        {view.sso ? (
          <>
            <dt>{t("sso.account.summary")}</dt>
            <dd id="account-sso">
              {view.sso.linked ? t("sso.account.summary_linked", { issuer: view.sso.issuer ?? "-" }) : t("sso.account.summary_unlinked")}
            </dd>
          </>
        ) : null}
      </dl>
      <p>{t("id.account.recovery_left", { n: view.recoveryLeft })}</p>
      <p>
        <a href="/account/password">{t("id.account.change_password")}</a>
        {" · "}
        <a href="/account/mfa/setup">{t("id.account.change_mfa")}</a>
        {" · "}
        <a href="/account/sso">{t("sso.account.title")}</a>
      </p>
      <OwnNameForm ctx={ctx} value={view.nameValue ?? view.actor.displayName} error={view.nameError} saved={view.nameSaved} />
      <AccountLanguageForm ctx={ctx} value={view.language} saved={view.languageSaved} error={view.languageError} />
      <h2>{t("id.account.sessions")}</h2>
      <ScrollRegion label={t("id.account.sessions")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("id.account.session.started")}</th>
              <th scope="col">{t("id.account.session.seen")}</th>
              <th scope="col">{t("id.account.session.method")}</th>
            </tr>
          </thead>
          <tbody>
            {view.sessions.map((s) => (
              <tr>
                <td>
                  {ctx.date(s.created_at)}
                  {s.id === view.actor.sessionId ? ` (${t("id.account.session.current")})` : ""}
                </td>
                <td>{ctx.date(s.last_seen_at)}</td>
                <td>{t(`id.method.${s.auth_method}` as MessageKey)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <form method="post" action="/account/sessions/end-all">
        <Csrf ctx={ctx} />
        <button type="submit" class="secondary">
          {t("id.account.end_all")}
        </button>
      </form>
    </Layout>
  );
}
