import type { MessageKey } from "../../../platform/i18n";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import { Pagination, pageHref } from "../../../platform/web/pagination";
import type { ViewContext } from "../../../platform/web/view";
import { PLATFORM_ROLES } from "../migrations";
import { ssoLinkOf } from "../sso-link";
import { SsoLinkAdmin } from "../sso-views";
import { AdminLanguageForm, LANGUAGE_NAMES, LanguageSelect } from "./language";
import type { UserRow } from "../store";
import { Csrf, ScrollRegion, SearchForm, TextField } from "../../../platform/web/fields";
import { AdminDetailsForm, type DetailsFormView } from "./recovery";
import { RolesSection, type RolesView } from "./roles";

export interface AccountListPage {
  items: Pick<UserRow, "id" | "email" | "display_name" | "status">[];
  total: number;
  page: number;
  pages: number;
  search: string;
}

/** The accounts, 50 a page, sorted by name, with a search on name or e-mail (a GET form: works without JavaScript). */
export function AccountsPage(props: { ctx: ViewContext; list: AccountListPage }) {
  const { ctx, list } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("id.admin.title")}>
      <h1>{t("id.admin.title")}</h1>
      <p>
        <a class="button" href="/admin/accounts/new">
          {t("id.admin.new")}
        </a>{" "}
        <a href="/admin/organisations">{t("oa.link")}</a>
        {" "}
        <a href="/admin/regional-contacts">{t("rc.link")}</a>
      </p>
      <SearchForm action="/admin/accounts" id="q" label={t("id.admin.search")} value={list.search} submit={t("id.admin.search_submit")} />
      <p id="account-count">
        {list.total === 0 && list.search ? t("id.admin.none_found") : t(list.search ? "id.admin.count_found" : "id.admin.count", { total: ctx.num(list.total), page: list.page, pages: list.pages })}
        {list.search ? (
          <>
            {" "}
            <a href="/admin/accounts">{t("id.admin.show_all")}</a>
          </>
        ) : null}
      </p>
      {list.items.length === 0 ? null : (
        <ScrollRegion label={t("id.admin.title")}>
          <table class="table">
            <caption class="visually-hidden">{t("id.admin.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("id.account.name")}</th>
                <th scope="col">{t("id.account.email")}</th>
                <th scope="col">{t("id.admin.status")}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((u) => (
                <tr>
                  <td>
                    <a href={`/admin/accounts/${u.id}`}>{u.display_name}</a>
                  </td>
                  <td>{u.email}</td>
                  <td>
                    <span class="tag">{t(`id.status.${u.status}` as MessageKey)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <Pagination ctx={ctx} page={list.page} pages={list.pages} href={(p) => pageHref("/admin/accounts", { q: list.search }, p)} label={t("id.admin.pages")} />
    </Layout>
  );
}

export function NewAccountPage(props: { ctx: ViewContext; values: { email: string; display_name: string; roles: string[]; language: string }; errors: { field: string; message: string }[] }) {
  const { ctx } = props;
  const { t } = ctx;
  const err = (f: string) => props.errors.find((e) => e.field === f)?.message;
  return (
    <Layout ctx={ctx} title={t("id.admin.new")}>
      <ErrorSummary ctx={ctx} errors={props.errors} />
      <h1>{t("id.admin.new")}</h1>
      <form method="post" action="/admin/accounts" novalidate>
        <Csrf ctx={ctx} />
        <TextField id="display_name" label={t("id.account.name")} value={props.values.display_name} maxLength={120} error={err("display_name")} />
        <TextField id="email" label={t("id.account.email")} type="email" value={props.values.email} maxLength={254} error={err("email")} />
        <fieldset class="form-group" aria-describedby="new-roles-hint">
          <legend class="legend">{t("id.admin.platform_roles")}</legend>
          <p class="hint" id="new-roles-hint">
            {t("id.roles.platform.hint")}
          </p>
          {PLATFORM_ROLES.map((r) => (
            <div class="checkbox">
              <input type="checkbox" id={`role-${r}`} name="roles" value={r} checked={props.values.roles.includes(r)} />
              <label for={`role-${r}`}>{t(`id.role.${r}` as MessageKey)}</label>
            </div>
          ))}
        </fieldset>
        <LanguageSelect id="language" label={t("lang.admin.label")} hint={t("lang.admin.hint")} value={props.values.language} error={err("language")} />
        <button type="submit">{t("id.admin.invite")}</button>
      </form>
    </Layout>
  );
}

export function AccountDetailPage(props: {
  ctx: ViewContext;
  user: UserRow;
  roles: string[];
  /** LIVC roles (names, period, state, end action), the grant form and the platform-role form (decision 0041). */
  rolesView: RolesView;
  sessions: number;
  /** A link just issued: invitation, password reset, or the reset after a second-factor reset (decision 0045). */
  link?: { kind: "invite" | "reset" | "mfa_reset"; url: string };
  /** The name and e-mail form: typed values and errors after a refused change, or saved. */
  details?: DetailsFormView;
  /** The administrator's own account: it cannot be disabled or logged out from here. */
  self?: boolean;
  languageSaved?: boolean;
  languageError?: string;
}) {
  const { ctx, user } = props;
  const { t } = ctx;
  const action = (path: string, label: MessageKey, cls = "secondary") => (
    <form method="post" action={`/admin/accounts/${user.id}/${path}`} class="inline-form">
      <Csrf ctx={ctx} />
      <button type="submit" class={cls}>
        {t(label)}
      </button>
    </form>
  );
  return (
    <Layout ctx={ctx} title={user.display_name}>
      <ErrorSummary ctx={ctx} errors={[...(props.details?.errors ?? []), ...(props.languageError ? [{ field: "language", message: props.languageError }] : []), ...props.rolesView.errors]} />
      <h1>{user.display_name}</h1>
      {props.link ? (
        <div class="notice" role="status">
          <p>{t(props.link.kind === "invite" ? "id.admin.invite_link" : props.link.kind === "mfa_reset" ? "rec.done" : "id.admin.reset_link")}</p>
          <p>
            <code id="account-link">{props.link.url}</code>
          </p>
        </div>
      ) : null}
      <dl class="summary">
        <dt>{t("id.account.email")}</dt>
        <dd>{user.email}</dd>
        <dt>{t("id.admin.status")}</dt>
        <dd>{t(`id.status.${user.status}` as MessageKey)}</dd>
        <dt>{t("lang.admin.label")}</dt>
        <dd id="account-language" lang={user.language}>
          {LANGUAGE_NAMES[user.language] ?? user.language}
        </dd>
        <dt>{t("id.admin.platform_roles")}</dt>
        <dd>{props.roles.map((r) => t(`id.role.${r}` as MessageKey)).join(", ") || "-"}</dd>
        <dt>{t("id.account.sessions")}</dt>
        <dd>{props.sessions}</dd>
      </dl>
      {props.self ? <p>{t("id.admin.not_self")}</p> : null}
      {/* A <div>, not a <p>: a <form> inside a <p> closes the paragraph early (empty <p></p> left over). */}
      <div class="form-group" id="account-actions">
        {props.self ? null : user.status === "disabled" ? action("enable", "id.admin.enable") : action("disable", "id.admin.disable", "warning")}{" "}
        {props.self ? null : action("end-sessions", "id.admin.end_sessions")} {user.status === "invited" ? action("invite-link", "id.admin.new_invite") : action("reset-link", "id.admin.new_reset")}{" "}
        {/* Second-factor reset: a confirmation page first (GET), never on one's own account (decision 0045). */}
        {props.self || user.status === "invited" ? null : (
          <a class="button warning" href={`/admin/accounts/${user.id}/mfa-reset`} id="mfa-reset-start">
            {t("rec.action")}
          </a>
        )}
      </div>
      <AdminDetailsForm ctx={ctx} userId={user.id} current={{ display_name: user.display_name, email: user.email }} view={props.details ?? {}} />
      <RolesSection ctx={ctx} userId={user.id} view={props.rolesView} />
      <AdminLanguageForm ctx={ctx} userId={user.id} value={user.language} saved={props.languageSaved} error={props.languageError} />
      <SsoLinkAdmin ctx={ctx} userId={user.id} link={ssoLinkOf(user)} />
    </Layout>
  );
}
