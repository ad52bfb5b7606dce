import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { MessageKey } from "../../platform/i18n";
import { hasRoleIn } from "../../platform/policy/actor";
import { livcIdsWhere } from "../../platform/policy/grants";
import { sendError } from "../../platform/web/app";
import { ScrollRegion } from "../../platform/web/fields";
import { Layout } from "../../platform/web/layout";
import { sendPage, type ViewContext, viewContext } from "../../platform/web/view";
import { livcById } from "../registry/service";
import { pendingRequests } from "./approvals";
import { approvalRoutes, doneOf, pendingViews, type ShowDecisionPage } from "./approvals-routes";
import { OVERSIGHT_ROLES, rolesInLivc } from "./livc-roles";
import { membershipState } from "./roles";
import { type DecisionForm, DecisionNotice, type PendingView, PendingRequests } from "./views/approvals";
import { ErrorSummary } from "../../platform/web/layout";

/**
 * /livc-roles: the chair and coordinator of an LIVC see who holds a role in it (decision 0047), and
 * approve or refuse the roles an administrator asked for in it (decision 0049, approvals-routes.tsx).
 * Route gate partners.manage (chair or coordinator of some LIVC); which LIVC: theirs, checked here,
 * a refusal audited. Names, roles and organisations of the cell's own members; no case content.
 */
export function livcRolesRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;
  app.get("/livc-roles", { config: { permission: "partners.manage" } }, async (request, reply) => {
    const ids = livcIdsWhere(request.actor, OVERSIGHT_ROLES);
    if (ids.length === 1) return reply.redirect(`/livc-roles/${ids[0]}`, 303);
    const livcs = (await Promise.all(ids.map((id) => livcById(db, id)))).filter((l) => l !== undefined).sort((a, b) => a.name.localeCompare(b.name, "nl"));
    return sendPage(reply, h(LivcRolesIndex, { ctx: viewContext(request), livcs }));
  });

  /** The LIVC's page: role holders and the requests awaiting a decision; only its own chair and coordinator. */
  const show =
    (livcId: string): ShowDecisionPage =>
    async (request: FastifyRequest, reply: FastifyReply, form: DecisionForm, status: number) => {
      const livc = await livcById(db, livcId);
      if (!livc) return sendError(request, reply, 404);
      if (!OVERSIGHT_ROLES.some((r) => hasRoleIn(request.actor, livc.id, r))) {
        await audit.record(request, { action: "livc.roles.view", resourceType: "livc", resourceId: livc.id, livcId: livc.id, outcome: "denied" });
        return sendError(request, reply, 403);
      }
      await audit.record(request, { action: "livc.roles.view", resourceType: "livc", resourceId: livc.id, livcId: livc.id, outcome: "allowed" });
      const [rows, pending] = await Promise.all([rolesInLivc(db, livc.id), pendingRequests(db, [livc.id])]);
      return sendPage(reply, h(LivcRolesPage, { ctx: viewContext(request), livcId: livc.id, name: livc.name, rows, pending: pendingViews(request.actor, pending, () => livc.name), form }), status);
    };

  app.get("/livc-roles/:livcId", { config: { permission: "partners.manage" } }, async (request, reply) => {
    const p = z.object({ livcId: z.string().uuid() }).safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    return show(p.data.livcId)(request, reply, { errors: [], reasons: {}, done: doneOf(request) }, 200);
  });
  approvalRoutes(app, ctx, show);
}

function LivcRolesIndex(props: { ctx: ViewContext; livcs: { id: string; name: string }[] }) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t("lr.index.title")}>
      <h1>{t("lr.index.title")}</h1>
      <p>{t("lr.index.intro")}</p>
      <ul>
        {props.livcs.map((l) => (
          <li>
            <a href={`/livc-roles/${l.id}`}>{l.name}</a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

type Row = Awaited<ReturnType<typeof rolesInLivc>>[number];

function LivcRolesPage(props: { ctx: ViewContext; livcId: string; name: string; rows: Row[]; pending: PendingView[]; form: DecisionForm }) {
  const { ctx, rows } = props;
  const { t } = ctx;
  const title = t("lr.title", { name: props.name });
  return (
    <Layout ctx={ctx} title={title} wide>
      <ErrorSummary ctx={ctx} errors={props.form.errors} />
      <DecisionNotice ctx={ctx} form={props.form} />
      <h1>{title}</h1>
      <p class="lead">{t("lr.intro")}</p>
      <h2 id="pending">{t("ap.livc.title")}</h2>
      <p>{t("ap.livc.intro")}</p>
      <PendingRequests ctx={ctx} rows={props.pending} form={props.form} base={(id) => `/livc-roles/${props.livcId}/requests/${id}`} showLivc={false} headingLevel={3} />
      <h2 id="holders">{t("lr.holders")}</h2>
      {rows.length === 0 ? (
        <p>{t("lr.none")}</p>
      ) : (
        <ScrollRegion label={t("lr.caption")}>
          <table class="table" id="livc-roles">
            <caption class="visually-hidden">{t("lr.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("lr.col.name")}</th>
                <th scope="col">{t("lr.col.role")}</th>
                <th scope="col">{t("lr.col.organisation")}</th>
                <th scope="col">{t("lr.col.from")}</th>
                <th scope="col">{t("lr.col.to")}</th>
                <th scope="col">{t("lr.col.state")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>
                    {r.display_name}
                    {r.status === "disabled" ? ` ${t("lr.disabled")}` : ""}
                  </td>
                  <td>{t(`id.role.${r.role}` as MessageKey)}</td>
                  <td>{r.organisation_name ?? ""}</td>
                  <td>{ctx.date(r.valid_from)}</td>
                  <td>{r.valid_to ? ctx.date(r.valid_to) : ""}</td>
                  <td>{t(`lr.state.${membershipState(r)}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Layout>
  );
}
