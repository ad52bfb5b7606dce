import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import type { MessageKey } from "../../platform/i18n";
import { holdsPermission } from "../../platform/policy/permissions";
import { sendError } from "../../platform/web/app";
import { pageParam } from "../../platform/web/pagination";
import { sendPage, viewContext } from "../../platform/web/view";
import { isSector } from "../identity/sectors";
import { livcById } from "../registry/service";
import { participationApiRoutes } from "./api";
import { PartnerRuleError } from "./errors";
import { orgAdminRoutes } from "./org-admin-routes";
import { invitationPolicy, livcPartnersPolicy, partnerActor } from "./policy";
import { periodStart } from "./analysis";
import { endSeatForm, idParam, inviteForm, livcParam, respondForm, seatForm } from "./schema";
import * as service from "./service";
import * as store from "./store";
import { InboxPage, InvitationPage, PartnersHomePage } from "./views/inbox";
import { emptyForm, type FormState, LivcPartnersPage } from "./views/livc";
import { extend } from "../../platform/objects";

const ruleMessage = (t: (k: MessageKey) => string, e: PartnerRuleError) => t(`pt.error.${e.code}` as MessageKey);

export function partnersRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  async function renderLivc(request: FastifyRequest, reply: FastifyReply, livcId: string, forms: { invite?: FormState; seat?: FormState; notice?: string } = {}, status = 200) {
    const livc = await livcById(db, livcId);
    if (!livc || !livcPartnersPolicy.can(request.actor, "view", { livcId })) return sendError(request, reply, 404);
    const v = viewContext(request);
    const today = todayInBrussels();
    const canManage = livcPartnersPolicy.can(request.actor, "manage", { livcId });
    const seats = await service.seatsOfLivc(ctx, livcId, today);
    const orgIds = [...new Set(seats.filter((s) => s.active && s.organisation_id).map((s) => s.organisation_id!))];
    const contacts = new Map<string, string[]>();
    for (const c of await store.contactsOf(db, orgIds)) contacts.set(c.organisation_id, [...(contacts.get(c.organisation_id) ?? []), c.display_name]);
    // The invitations a page at a time (?inv_page=), newest first; the invite form still offers every organisation invited before.
    const invPage = pageParam.parse((request.query as Record<string, unknown> | undefined)?.inv_page ?? 1);
    const invitations = canManage ? await store.livcInvitationsPage(db, livcId, invPage) : { items: [], page: 1, pages: 1 };
    const invitedBefore = canManage ? await store.organisationsInvitedBy(db, livcId) : [];
    const consultations = canManage ? await service.consultationsOf(ctx, livcId, periodStart(today), today) : [];
    const present = new Map<string, number>();
    for (const c of consultations) present.set(c.id, (await service.attendanceFor(ctx, c.id)).filter((a) => a.attended).length);
    // Offered in the invite and seat forms: local organisations and those already linked, or a name search (?org_q=).
    const orgSearch = String((request.query as Record<string, unknown> | undefined)?.org_q ?? "").slice(0, 100);
    const linked = [...orgIds, ...invitedBefore, forms.invite?.values.organisation_id, forms.seat?.values.organisation_id].filter((x): x is string => Boolean(x));
    const choices = canManage ? await service.organisationChoices(ctx, livcId, today, orgSearch, linked) : [];
    const organisations = choices.flatMap((o) => (isSector(o.sector) ? [{ id: o.id, name: o.name, sector: o.sector }] : []));
    return sendPage(
      reply,
      h(LivcPartnersPage, {
        ctx: v,
        livc,
        canManage,
        today,
        seats,
        contacts,
        invitations,
        organisations,
        orgSearch,
        consultations: consultations.map((c) => extend(c, { present: present.get(c.id) ?? 0 })),
        invite: forms.invite ?? emptyForm(),
        seat: forms.seat ?? emptyForm(),
        notice: forms.notice,
      }),
      status,
    );
  }

  app.get("/partners", { config: { permission: "authenticated" } }, async (request, reply) => {
    const ids = livcPartnersPolicy.livcIds(request.actor, "view");
    const livcs = (await Promise.all(ids.map((id) => livcById(db, id)))).filter((l) => l !== undefined);
    livcs.sort((a, b) => a.name.localeCompare(b.name, "nl"));
    return sendPage(reply, h(PartnersHomePage, { ctx: viewContext(request), livcs, showParticipation: holdsPermission(request.actor, "monitoring.read") }));
  });

  app.get("/partners/livc/:livcId", { config: { permission: "livc.member" } }, async (request, reply) => {
    const p = livcParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const done = (request.query as Record<string, string | undefined>).done;
    const t = viewContext(request).t;
    const notice = done === "invited" ? t("pt.invite.sent") : undefined;
    return renderLivc(request, reply, p.data.livcId, { notice });
  });

  app.post("/partners/livc/:livcId/invitations", { config: { permission: "partners.manage" } }, async (request, reply) => {
    const p = livcParam.safeParse(request.params);
    if (!p.success || !livcPartnersPolicy.can(request.actor, "manage", { livcId: p.data.livcId })) return sendError(request, reply, 404);
    const form = inviteForm.safeParse(request.body ?? {});
    const values = form.success ? form.data : { organisation_id: "", kind: "structural" as const, case_ref: "" };
    try {
      await service.sendInvitation(ctx, { actor: request.actor, clientAddress: request.ip, correlationId: request.id }, {
        livcId: p.data.livcId,
        organisationId: values.organisation_id,
        kind: values.kind,
        caseRef: values.kind === "consultation" ? values.case_ref : null,
      });
    } catch (e) {
      if (!(e instanceof PartnerRuleError)) throw e;
      const t = viewContext(request).t;
      const invite = { values: { ...values }, errors: [{ field: e.field ?? "organisation_id", message: ruleMessage(t, e) }] };
      return renderLivc(request, reply, p.data.livcId, { invite }, 400);
    }
    return reply.redirect(`/partners/livc/${p.data.livcId}?done=invited`, 303);
  });

  app.post("/partners/livc/:livcId/seats", { config: { permission: "partners.manage" } }, async (request, reply) => {
    const p = livcParam.safeParse(request.params);
    if (!p.success || !livcPartnersPolicy.can(request.actor, "manage", { livcId: p.data.livcId })) return sendError(request, reply, 404);
    const values = seatForm.parse(request.body ?? {});
    try {
      await service.addSeat(ctx, { actor: request.actor, clientAddress: request.ip, correlationId: request.id }, {
        livcId: p.data.livcId,
        seat: values.seat as service.Seat,
        organisationId: values.seat_organisation_id || null,
        fromOn: values.from_on,
        toOn: values.to_on || null,
      });
    } catch (e) {
      if (!(e instanceof PartnerRuleError)) throw e;
      const t = viewContext(request).t;
      const field = e.field === "organisation_id" ? "seat_organisation_id" : (e.field ?? "seat");
      return renderLivc(request, reply, p.data.livcId, { seat: { values: { ...values }, errors: [{ field, message: ruleMessage(t, e) }] } }, 400);
    }
    return reply.redirect(`/partners/livc/${p.data.livcId}`, 303);
  });

  app.post("/partners/seats/:id/end", { config: { permission: "partners.manage" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const seat = p.success ? await service.seatById(ctx, p.data.id) : undefined;
    if (!seat || !livcPartnersPolicy.can(request.actor, "manage", { livcId: seat.livc_id })) return sendError(request, reply, 404);
    const values = endSeatForm.parse(request.body ?? {});
    try {
      await service.endSeat(ctx, { actor: request.actor, clientAddress: request.ip, correlationId: request.id }, seat.id, values.to_on || null);
    } catch (e) {
      if (!(e instanceof PartnerRuleError)) throw e;
      const t = viewContext(request).t;
      return renderLivc(request, reply, seat.livc_id, { seat: { values: {}, errors: [{ field: `end-${seat.id}`, message: ruleMessage(t, e) }] } }, 400);
    }
    return reply.redirect(`/partners/livc/${seat.livc_id}`, 303);
  });

  app.post("/partners/invitations/:id/withdraw", { config: { permission: "partners.manage" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const inv = p.success ? await service.invitationById(ctx, p.data.id) : undefined;
    if (!inv || !request.actor || !invitationPolicy.withdraw(await partnerActor(ctx, request.actor), inv)) return sendError(request, reply, 404);
    try {
      await service.withdrawInvitation(ctx, { actor: request.actor, clientAddress: request.ip, correlationId: request.id }, inv.id);
    } catch (e) {
      if (!(e instanceof PartnerRuleError)) throw e;
    }
    return reply.redirect(`/partners/livc/${inv.livc_id}`, 303);
  });

  app.get("/invitations", { config: { permission: "partners.respond" } }, async (request, reply) => {
    const pa = await partnerActor(ctx, request.actor!);
    const invitations = await service.visibleInvitations(ctx, { livcIds: [], organisationIds: pa.contactOrganisationIds });
    const livcNames = new Map<string, string>();
    for (const id of new Set(invitations.map((i) => i.livc_id))) livcNames.set(id, (await livcById(db, id))?.name ?? "");
    return sendPage(reply, h(InboxPage, { ctx: viewContext(request), invitations, livcNames }));
  });

  async function renderInvitation(request: FastifyRequest, reply: FastifyReply, id: string, form: FormState = emptyForm(), notice?: string, status = 200) {
    const pa = await partnerActor(ctx, request.actor!);
    const inv = await service.invitationById(ctx, id);
    if (!inv || !invitationPolicy.read(pa, inv)) return sendError(request, reply, 404);
    const org = await store.organisationById(db, inv.organisation_id);
    const livc = await livcById(db, inv.livc_id);
    return sendPage(
      reply,
      h(InvitationPage, {
        ctx: viewContext(request),
        invitation: extend(inv, { organisation_name: org?.name ?? "", sector: org?.sector ?? "other" }),
        livcName: livc?.name ?? "",
        canRespond: invitationPolicy.respond(pa, inv),
        form,
        notice,
      }),
      status,
    );
  }

  app.get("/invitations/:id", { config: { permission: "partners.respond" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const done = (request.query as Record<string, string | undefined>).done;
    const t = viewContext(request).t;
    const notice = done === "accepted" ? t("pt.respond.done.accepted") : done === "declined" ? t("pt.respond.done.declined") : undefined;
    return renderInvitation(request, reply, p.data.id, emptyForm(), notice);
  });

  app.post("/invitations/:id", { config: { permission: "partners.respond" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const inv = await service.invitationById(ctx, p.data.id);
    const pa = await partnerActor(ctx, request.actor!);
    if (!inv || !invitationPolicy.respond(pa, inv)) return sendError(request, reply, 404);
    const parsed = respondForm.safeParse(request.body ?? {});
    const values = parsed.success ? parsed.data : { note: "" };
    const t = viewContext(request).t;
    const keep = { answer: values.answer ?? "", reason: values.reason ?? "", note: values.note ?? "" };
    if (!values.answer) return renderInvitation(request, reply, inv.id, { values: keep, errors: [{ field: "answer", message: t("pt.error.answer_required") }] }, undefined, 400);
    try {
      const status = await service.respondToInvitation(ctx, { actor: request.actor, clientAddress: request.ip, correlationId: request.id }, inv.id, {
        answer: values.answer,
        reason: values.reason,
        note: values.note,
      });
      return reply.redirect(`/invitations/${inv.id}?done=${status}`, 303);
    } catch (e) {
      if (!(e instanceof PartnerRuleError)) throw e;
      return renderInvitation(request, reply, inv.id, { values: keep, errors: [{ field: e.field ?? "answer", message: ruleMessage(t, e) }] }, undefined, 400);
    }
  });

  app.get("/api/v1/partners/invitations", {
    config: { permission: "partners.respond" },
    schema: {
      tags: ["partners"],
      summary: "Invitations you may see",
      description: "Invitations of the LIVCs where you are chair or coordinator, and those addressed to organisations you are a contact of. Never other LIVCs' invitations.",
    },
  }, async (request) => {
    const pa = await partnerActor(ctx, request.actor!);
    const rows = await service.visibleInvitations(ctx, { livcIds: livcPartnersPolicy.livcIds(pa.actor, "manage"), organisationIds: pa.contactOrganisationIds });
    return {
      invitations: rows.map((i) => ({
        id: i.id,
        livc_id: i.livc_id,
        organisation_id: i.organisation_id,
        organisation: i.organisation_name,
        sector: i.sector,
        kind: i.kind,
        status: i.status,
        sent_on: i.sent_on,
        expires_on: i.expires_on,
        decline_reason: i.decline_reason,
      })),
    };
  });

  participationApiRoutes(app, ctx);
  orgAdminRoutes(app, ctx);
}
