import { sectorLabel, type Sector } from "../../identity/sectors";
import { ErrorSummary, Layout } from "../../../platform/web/layout";
import type { ViewContext } from "../../../platform/web/view";
import { DECLINE_REASONS } from "../migrations";
import type { InvitationRow } from "../store";
import { Csrf, Radios, ScrollRegion, TextField } from "../../../platform/web/fields";
import type { FormState } from "./livc";

type Invitation = InvitationRow & { organisation_name: string; sector: string };

export function PartnersHomePage(p: { ctx: ViewContext; livcs: { id: string; name: string; code: string }[]; showParticipation: boolean }) {
  const { t } = p.ctx;
  return (
    <Layout ctx={p.ctx} title={t("pt.title")}>
      <h1>{t("pt.title")}</h1>
      <p class="lead">{t("pt.intro")}</p>
      <h2>{t("pt.my_livcs")}</h2>
      {p.livcs.length === 0 ? (
        <p>{t("pt.no_livcs")}</p>
      ) : (
        <ul>
          {p.livcs.map((l) => (
            <li>
              <a href={`/partners/livc/${l.id}`}>
                {l.name} ({l.code})
              </a>
            </li>
          ))}
        </ul>
      )}
      <ul>
        <li>
          <a href="/invitations">{t("pt.inbox_link")}</a>
        </li>
        {p.showParticipation ? (
          <li>
            <a href="/monitoring/participation">{t("pt.participation_link")}</a>
          </li>
        ) : null}
      </ul>
    </Layout>
  );
}

export function InboxPage(p: { ctx: ViewContext; invitations: Invitation[]; livcNames: Map<string, string> }) {
  const { ctx } = p;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t("pt.inbox.title")}>
      <h1>{t("pt.inbox.title")}</h1>
      <p class="lead">{t("pt.inbox.intro")}</p>
      {p.invitations.length === 0 ? (
        <p>{t("pt.inbox.empty")}</p>
      ) : (
        <ScrollRegion label={t("pt.inbox.title")}>
          <table class="table">
            <caption class="visually-hidden">{t("pt.inbox.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("pt.col.livc")}</th>
                <th scope="col">{t("pt.col.organisation")}</th>
                <th scope="col">{t("pt.col.kind")}</th>
                <th scope="col">{t("pt.col.expires")}</th>
                <th scope="col">{t("pt.col.status")}</th>
                <th scope="col">{t("pt.col.action")}</th>
              </tr>
            </thead>
            <tbody>
              {p.invitations.map((i) => (
                <tr>
                  <td>{p.livcNames.get(i.livc_id) ?? ""}</td>
                  <td>{i.organisation_name}</td>
                  <td>{t(`pt.kind.${i.kind}`)}</td>
                  <td>{ctx.date(i.expires_on)}</td>
                  <td>{t(`pt.status.${i.status}`)}</td>
                  <td>
                    <a href={`/invitations/${i.id}`}>
                      {t("pt.inbox.open")}
                      <span class="visually-hidden"> {p.livcNames.get(i.livc_id) ?? ""}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Layout>
  );
}

export function InvitationPage(p: { ctx: ViewContext; invitation: Invitation; livcName: string; canRespond: boolean; form: FormState; notice?: string }) {
  const { ctx, invitation: i } = p;
  const { t } = ctx;
  const err = (f: string) => p.form.errors.find((e) => e.field === f)?.message;
  return (
    <Layout ctx={ctx} title={t("pt.inv.title", { livc: p.livcName })}>
      <p>
        <a href="/invitations">{t("pt.inbox.title")}</a>
      </p>
      <h1>{t("pt.inv.title", { livc: p.livcName })}</h1>
      <ErrorSummary ctx={ctx} errors={p.form.errors} />
      {p.notice ? (
        <div class="notice" role="status">
          {p.notice}
        </div>
      ) : null}
      <dl class="summary-list">
        <dt>{t("pt.inv.organisation")}</dt>
        <dd>
          {i.organisation_name} ({sectorLabel(i.sector as Sector, ctx.locale)})
        </dd>
        <dt>{t("pt.inv.kind")}</dt>
        <dd>{t(`pt.kind.${i.kind}`)}</dd>
        {i.case_ref ? (
          <>
            <dt>{t("pt.inv.case_ref")}</dt>
            <dd>{i.case_ref}</dd>
          </>
        ) : null}
        <dt>{t("pt.inv.sent")}</dt>
        <dd>{ctx.date(i.sent_on)}</dd>
        <dt>{t("pt.inv.expires")}</dt>
        <dd>{ctx.date(i.expires_on)}</dd>
        <dt>{t("pt.inv.status")}</dt>
        <dd>
          {t(`pt.status.${i.status}`)}
          {i.decline_reason ? ` (${t(`pt.reason.${i.decline_reason}`)})` : ""}
        </dd>
      </dl>
      {p.canRespond && i.status === "pending" ? (
        <form method="post" action={`/invitations/${i.id}`} novalidate>
          <Csrf ctx={ctx} />
          <Radios
            id="answer"
            legend={t("pt.respond.legend")}
            value={p.form.values.answer}
            error={err("answer")}
            options={[
              { value: "accept", label: t("pt.respond.accept") },
              { value: "decline", label: t("pt.respond.decline") },
            ]}
          />
          <Radios
            id="reason"
            legend={t("pt.respond.reason")}
            hint={t("pt.respond.reason.hint")}
            value={p.form.values.reason}
            error={err("reason")}
            options={DECLINE_REASONS.map((r) => ({ value: r, label: t(`pt.reason.${r}`) }))}
          />
          {i.kind === "consultation" ? (
            // A case consultation: the reason code only, no free text about the case (decision 0053).
            <p class="hint">{t("pt.respond.consultation.hint")}</p>
          ) : (
            <TextField id="note" label={t("pt.respond.note")} hint={t("pt.respond.note.hint")} value={p.form.values.note} error={err("note")} maxLength={500} multiline />
          )}
          <button type="submit" class="button">
            {t("pt.respond.submit")}
          </button>
        </form>
      ) : null}
    </Layout>
  );
}
