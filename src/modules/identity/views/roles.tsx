import type { MessageKey } from "../../../platform/i18n";
import { Csrf, Notice, ScrollRegion, SelectField, TextField } from "../../../platform/web/fields";
import type { ViewContext } from "../../../platform/web/view";
import { LIVC_ROLES } from "../../../platform/policy/actor";
import { PLATFORM_ROLES } from "../migrations";
import type { MembershipState } from "../roles";

export interface FormError {
  field: string;
  message: string;
}

/** One membership as the account page shows it: names instead of ids. */
export interface MembershipView {
  id: string;
  livc: string;
  role: string;
  organisation: string | null;
  validFrom: string;
  validTo: string | null;
  state: MembershipState;
  /** Why a second person refused the request (decision 0049), kept and shown to administrators. */
  refusalReason?: string | null;
}

/** Everything the roles part of the account page needs, incl. a refused form's typed values and errors. */
export interface RolesView {
  memberships: MembershipView[];
  livcs: { value: string; label: string }[];
  /** Offered in the grant form: a name search's finds, the person's own organisations, the one chosen. */
  organisations: { value: string; label: string }[];
  /** The organisation name search typed (GET ?org_q=) and how many organisations it found. */
  orgSearch: string;
  orgFound: number;
  platformRoles: string[];
  /** admin or dpo requests awaiting a second administrator (decision 0049): they give nothing yet. */
  pendingPlatform: { id: string; role: string; requester: string }[];
  /** The grant form's values (defaults, or what was typed before a refusal). */
  grant: Record<string, string>;
  /** Typed last days per membership id (kept after a refusal), else the default (yesterday). */
  endValues: Record<string, string>;
  endDefault: string;
  errors: FormError[];
  saved?: "grant" | "end" | "platform_roles" | "platform_requested";
  /** Admin and an open LIVC role at once (data from before decision 0041). */
  conflict: boolean;
  /** The administrator's own account: platform roles read-only, no grant form. */
  self: boolean;
}

export const endFieldId = (membershipId: string) => `end-${membershipId}`;
export const PLATFORM_FIELD = `platform-role-${PLATFORM_ROLES[0]}`;

export function RolesSection(props: { ctx: ViewContext; userId: string; view: RolesView }) {
  const { ctx, userId, view } = props;
  const { t } = ctx;
  const err = (f: string) => view.errors.find((e) => e.field === f)?.message;
  const base = `/admin/accounts/${userId}`;
  return (
    <>
      {view.saved ? <Notice>{t(`id.roles.saved.${view.saved}`)}</Notice> : null}
      {view.conflict ? (
        <div class="notice" id="roles-conflict">
          <p>{t("id.roles.conflict")}</p>
        </div>
      ) : null}
      <h2 id="livc-roles">{t("id.roles.title")}</h2>
      {view.memberships.length === 0 ? (
        <p>{t("id.roles.none")}</p>
      ) : (
        <ScrollRegion label={t("id.roles.title")}>
          <table class="table" id="memberships">
            <caption class="visually-hidden">{t("id.roles.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("id.roles.livc")}</th>
                <th scope="col">{t("id.roles.role")}</th>
                <th scope="col">{t("id.roles.organisation")}</th>
                <th scope="col">{t("id.roles.from")}</th>
                <th scope="col">{t("id.roles.to")}</th>
                <th scope="col">{t("id.roles.state")}</th>
                <th scope="col">{t("id.roles.action")}</th>
              </tr>
            </thead>
            <tbody>
              {view.memberships.map((m) => {
                const id = endFieldId(m.id);
                const error = err(id);
                return (
                  <tr id={`membership-${m.id}`}>
                    <td>{m.livc}</td>
                    <td>{t(`id.role.${m.role}` as MessageKey)}</td>
                    <td>{m.organisation ?? "-"}</td>
                    <td>{m.validFrom}</td>
                    <td>{m.validTo ?? "-"}</td>
                    <td>
                      <span class="tag">{t(`id.roles.state.${m.state}`)}</span>
                      {m.state === "refused" && m.refusalReason ? <p class="hint">{m.refusalReason}</p> : null}
                    </td>
                    <td>
                      {m.state === "pending" ? (
                        <a href={`/admin/approvals#request-${m.id}`}>{t("id.roles.pending.link")}</a>
                      ) : m.state === "ended" || m.state === "refused" || m.state === "withdrawn" ? null : (
                        <form method="post" action={`${base}/memberships/${m.id}/end`} novalidate>
                          <Csrf ctx={ctx} />
                          <TextField id={id} name="valid_to" label={t("id.roles.end.label")} hint={t("id.roles.end.hint")} value={view.endValues[m.id] ?? view.endDefault} maxLength={10} inputmode="numeric" error={error} />
                          <button type="submit" class="secondary">
                            {t("id.roles.end.submit")}
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {view.self ? null : (
        <>
          <h2 id="grant-role">{t("id.roles.grant.title")}</h2>
          <p>{t("id.roles.grant.intro")}</p>
          <form method="post" action={`${base}/memberships#grant-role`} novalidate>
            <Csrf ctx={ctx} />
            <SelectField id="livc_id" label={t("id.roles.livc")} value={view.grant.livc_id} options={view.livcs} placeholder={t("id.roles.choose")} error={err("livc_id")} />
            <SelectField
              id="role"
              label={t("id.roles.role")}
              value={view.grant.role}
              options={LIVC_ROLES.map((r) => ({ value: r, label: t(`id.role.${r}` as MessageKey) }))}
              placeholder={t("id.roles.choose")}
              error={err("role")}
            />
            {/* The organisations offered come from a name search inside this form (issue 9: all 3,000 made a 99 KB
                page). Its button is the form's first: Enter in any field searches and keeps every value typed;
                only "Give role" gives the role. */}
            <div class="search-form">
              <TextField id="org_q" label={t("id.roles.orgsearch.label")} hint={t("id.roles.orgsearch.hint")} value={view.orgSearch} maxLength={100} autocomplete="off" />
              <button type="submit" name="intent" value="org_search" class="button secondary">
                {t("id.roles.orgsearch.submit")}
              </button>
            </div>
            <p id="org-search-result">{view.orgSearch ? t("id.roles.orgsearch.found", { count: view.orgFound }) : t("id.roles.orgsearch.none")}</p>
            <SelectField
              id="organisation_id"
              label={t("id.roles.organisation")}
              hint={t("id.roles.grant.organisation.hint")}
              value={view.grant.organisation_id}
              options={view.organisations}
              placeholder={t("id.roles.no_organisation")}
              error={err("organisation_id")}
            />
            <TextField id="valid_from" label={t("id.roles.from")} hint={t("id.roles.grant.from.hint")} value={view.grant.valid_from} maxLength={10} inputmode="numeric" error={err("valid_from")} />
            <TextField id="valid_to" label={t("id.roles.to")} hint={t("id.roles.grant.to.hint")} value={view.grant.valid_to} maxLength={10} inputmode="numeric" error={err("valid_to")} />
            <button type="submit">{t("id.roles.grant.submit")}</button>
          </form>
        </>
      )}
      <h2 id="platform-roles">{t("id.roles.platform.title")}</h2>
      {view.pendingPlatform.length > 0 ? (
        <ul id="platform-pending">
          {view.pendingPlatform.map((r) => (
            <li>
              {t("id.roles.platform.pending", { role: t(`id.role.${r.role}` as MessageKey), name: r.requester })} <a href={`/admin/approvals#request-${r.id}`}>{t("id.roles.pending.link")}</a>
            </li>
          ))}
        </ul>
      ) : null}
      {view.self ? (
        <p>{t("id.roles.platform.self")}</p>
      ) : (
        <form method="post" action={`${base}/platform-roles`} novalidate>
          <Csrf ctx={ctx} />
          <div class={err(PLATFORM_FIELD) ? "form-group form-group-error" : "form-group"}>
            <fieldset aria-describedby={err(PLATFORM_FIELD) ? `platform-roles-hint ${PLATFORM_FIELD}-error` : "platform-roles-hint"}>
              <legend class="legend">{t("id.admin.platform_roles")}</legend>
              <p class="hint" id="platform-roles-hint">
                {t("id.roles.platform.hint")}
              </p>
              {err(PLATFORM_FIELD) ? (
                <p class="field-error" id={`${PLATFORM_FIELD}-error`}>
                  {err(PLATFORM_FIELD)}
                </p>
              ) : null}
              {PLATFORM_ROLES.map((r) => (
                <div class="checkbox">
                  <input type="checkbox" id={`platform-role-${r}`} name="roles" value={r} checked={view.platformRoles.includes(r)} />
                  <label for={`platform-role-${r}`}>{t(`id.role.${r}` as MessageKey)}</label>
                </div>
              ))}
            </fieldset>
          </div>
          <button type="submit">{t("id.roles.platform.submit")}</button>
        </form>
      )}
    </>
  );
}
