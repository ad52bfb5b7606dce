import { sectorLabel, type Sector } from "../../identity/sectors";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import type { MessageKey } from "../../../platform/i18n";
import type { SeatView } from "../membership";
import { SEATS } from "../migrations";
import type { InvitationRow } from "../store";
import { Csrf, SearchForm, Radios, ScrollRegion, SelectField, TextField } from "../../../platform/web/fields";
import { Pagination } from "../../../platform/web/pagination";
import { extend } from "../../../platform/objects";

export type FormState = { values: Record<string, string>; errors: { field: string; message: string }[] };
export const emptyForm = (): FormState => ({ values: {}, errors: [] });
const errorOf = (f: FormState, field: string) => f.errors.find((e) => e.field === field)?.message;

export interface LivcPartnersProps {
  ctx: ViewContext;
  livc: { id: string; code: string; name: string };
  canManage: boolean;
  today: string;
  seats: SeatView[];
  contacts: Map<string, string[]>;
  /** One page of the LIVC's invitations, newest first (?inv_page=). */
  invitations: { items: (InvitationRow & { organisation_name: string; sector: string })[]; page: number; pages: number };
  organisations: { id: string; name: string; sector: Sector }[];
  /** The organisation search typed (GET ?org_q=); empty: the local organisations are offered. */
  orgSearch?: string;
  consultations: { id: string; held_on: string; status: string; present: number }[];
  invite: FormState;
  seat: FormState;
  notice?: string;
}

export function LivcPartnersPage(p: LivcPartnersProps) {
  const { ctx } = p;
  const { t } = ctx;
  const sector = (s: string | null) => (s ? sectorLabel(s as Sector, ctx.locale) : "");
  const orgOptions = p.organisations.map((o) => ({ value: o.id, label: `${o.name} (${sectorLabel(o.sector, ctx.locale)})` }));
  const base = `/partners/livc/${p.livc.id}`;
  return (
    <Layout ctx={ctx} title={t("pt.livc.title", { name: p.livc.name })} wide>
      <p>
        <a href="/partners">{t("pt.title")}</a>
      </p>
      <h1>{t("pt.livc.title", { name: p.livc.name })}</h1>
      <ErrorSummary ctx={ctx} errors={[...p.invite.errors, ...p.seat.errors]} />
      {p.notice ? (
        <div class="notice" role="status">
          {p.notice}
        </div>
      ) : null}

      <h2>{t("pt.seats.title")}</h2>
      {p.seats.length === 0 ? (
        <p>{t("pt.seats.empty")}</p>
      ) : (
        <ScrollRegion label={t("pt.seats.caption")}>
          <table class="table">
            <caption>{t("pt.seats.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("pt.col.seat")}</th>
                <th scope="col">{t("pt.col.organisation")}</th>
                <th scope="col">{t("pt.col.sector")}</th>
                <th scope="col">{t("pt.col.contacts")}</th>
                <th scope="col">{t("pt.col.from")}</th>
                <th scope="col">{t("pt.col.to")}</th>
                <th scope="col">{t("pt.col.state")}</th>
                {p.canManage ? <th scope="col">{t("pt.col.action")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {p.seats.map((s) => (
                <tr>
                  <td>{t(`pt.seat.${s.seat}` as MessageKey)}</td>
                  <td>{s.organisation_name ?? t("pt.seat.no_org")}</td>
                  <td>{sector(s.sector)}</td>
                  <td>{(s.organisation_id ? (p.contacts.get(s.organisation_id) ?? []) : []).join(", ")}</td>
                  <td>{ctx.date(s.from_on)}</td>
                  <td>{ctx.date(s.to_on)}</td>
                  <td>
                    <span class={s.active ? "tag green" : "tag grey"}>{t(s.active ? "pt.seat.active" : s.from_on > p.today ? "pt.seat.future" : "pt.seat.ended")}</span>
                  </td>
                  {p.canManage ? (
                    <td>
                      {s.to_on === null ? (
                        <form method="post" action={`/partners/seats/${s.id}/end`} class="inline-form">
                          <Csrf ctx={ctx} />
                          <label for={`end-${s.id}`} class="visually-hidden">
                            {t("pt.seat.end.label")}
                          </label>
                          <input id={`end-${s.id}`} name="to_on" type="text" value={p.today} size={10} />{" "}
                          <button type="submit" class="link-button">
                            {t("pt.seat.end.submit")}
                            <span class="visually-hidden"> {s.organisation_name ?? ""}</span>
                          </button>
                        </form>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      {p.canManage ? (
        <>
          <h2 id="organisations">{t("pt.orgsearch.title")}</h2>
          <p>{p.orgSearch ? t("pt.orgsearch.found", { count: p.organisations.length }) : t("pt.orgsearch.local")}</p>
          <SearchForm action={`${base}#organisations`} id="org_q" label={t("pt.orgsearch.label")} hint={t("pt.orgsearch.hint")} value={p.orgSearch ?? ""} maxLength={100} submit={t("pt.orgsearch.submit")} />
          <h2 id="invite">{t("pt.invite.title")}</h2>
          <form method="post" action={`${base}/invitations`} novalidate>
            <Csrf ctx={ctx} />
            <SelectField
              id="organisation_id"
              label={t("pt.field.organisation")}
              value={p.invite.values.organisation_id}
              error={errorOf(p.invite, "organisation_id")}
              placeholder={t("pt.field.organisation.choose")}
              options={orgOptions}
            />
            <Radios
              id="kind"
              legend={t("pt.invite.kind")}
              value={p.invite.values.kind ?? "structural"}
              options={[
                { value: "structural", label: t("pt.kind.structural") },
                { value: "consultation", label: t("pt.kind.consultation") },
              ]}
            />
            <TextField id="case_ref" label={t("pt.invite.case_ref")} hint={t("pt.invite.case_ref.hint")} value={p.invite.values.case_ref} error={errorOf(p.invite, "case_ref")} maxLength={64} />
            <button type="submit" class="button">
              {t("pt.invite.submit")}
            </button>
          </form>

          <h2 id="invitations">{t("pt.invitations.title")}</h2>
          {p.invitations.items.length === 0 ? (
            <p>{t("pt.invitations.empty")}</p>
          ) : (
            <ScrollRegion label={t("pt.invitations.caption")}>
              <table class="table">
                <caption>{t("pt.invitations.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("pt.col.organisation")}</th>
                    <th scope="col">{t("pt.col.sector")}</th>
                    <th scope="col">{t("pt.col.kind")}</th>
                    <th scope="col">{t("pt.col.sent")}</th>
                    <th scope="col">{t("pt.col.expires")}</th>
                    <th scope="col">{t("pt.col.status")}</th>
                    <th scope="col">{t("pt.col.reason")}</th>
                    <th scope="col">{t("pt.col.action")}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.invitations.items.map((i) => (
                    <tr>
                      <td>{i.organisation_name}</td>
                      <td>{sector(i.sector)}</td>
                      <td>{t(`pt.kind.${i.kind}`)}{i.case_ref ? ` (${i.case_ref})` : ""}</td>
                      <td>{ctx.date(i.sent_on)}</td>
                      <td>{ctx.date(i.expires_on)}</td>
                      <td>{t(`pt.status.${i.status}`)}</td>
                      <td>
                        {i.decline_reason ? t(`pt.reason.${i.decline_reason}`) : ""}
                        {i.decline_note ? `: ${i.decline_note}` : ""}
                      </td>
                      <td>
                        {i.status === "pending" ? (
                          <form method="post" action={`/partners/invitations/${i.id}/withdraw`} class="inline-form">
                            <Csrf ctx={ctx} />
                            <button type="submit" class="link-button">
                              {t("pt.withdraw")}
                              <span class="visually-hidden"> {i.organisation_name}</span>
                            </button>
                          </form>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}
          <Pagination
            ctx={ctx}
            page={p.invitations.page}
            pages={p.invitations.pages}
            href={(n) => `${base}?${new URLSearchParams(extend(p.orgSearch ? { org_q: p.orgSearch } : {}, { inv_page: String(n) }))}#invitations`}
            label={t("pt.invitations.caption")}
          />

          <h2 id="seat">{t("pt.seat.add.title")}</h2>
          <form method="post" action={`${base}/seats`} novalidate>
            <Csrf ctx={ctx} />
            <SelectField
              id="seat"
              label={t("pt.field.seat")}
              value={p.seat.values.seat ?? "partner"}
              error={errorOf(p.seat, "seat")}
              options={SEATS.map((s) => ({ value: s, label: t(`pt.seat.${s}`) }))}
            />
            <SelectField
              id="seat_organisation_id"
              label={t("pt.field.organisation")}
              value={p.seat.values.seat_organisation_id}
              error={errorOf(p.seat, "seat_organisation_id")}
              placeholder={t("pt.field.organisation.choose")}
              options={orgOptions}
            />
            <TextField id="from_on" label={t("pt.field.from")} value={p.seat.values.from_on ?? p.today} error={errorOf(p.seat, "from_on")} maxLength={10} />
            <TextField id="to_on" label={t("pt.field.to")} value={p.seat.values.to_on} error={errorOf(p.seat, "to_on")} maxLength={10} />
            <button type="submit" class="button">
              {t("pt.seat.add.submit")}
            </button>
          </form>

          <h2>{t("pt.attendance.title")}</h2>
          {p.consultations.length === 0 ? (
            <p>{t("pt.attendance.empty")}</p>
          ) : (
            <table class="table">
              <caption>{t("pt.attendance.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("pt.attendance.held_on")}</th>
                  <th scope="col">{t("pt.col.status")}</th>
                  <th scope="col">{t("pt.attendance.present")}</th>
                  <th scope="col">{t("pt.col.action")}</th>
                </tr>
              </thead>
              <tbody>
                {p.consultations.map((c) => (
                  <tr>
                    <td>{ctx.date(c.held_on)}</td>
                    <td>{t(`pt.cs.${c.status as "held"}`)}</td>
                    <td>{ctx.num(c.present)}</td>
                    <td>
                      <a href={`/meetings/${c.id}#att-title`}>
                        {t("pt.attendance.record")}
                        <span class="visually-hidden"> {ctx.date(c.held_on)}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </Layout>
  );
}
