import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import { whoSaw } from "../../platform/audit/queries";
import type { AppContext } from "../../platform/context";
import { toCsv } from "../../platform/csv";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import type { MessageKey } from "../../platform/i18n";
import { sendError } from "../../platform/web/app";
import { pageParam } from "../../platform/web/pagination";
import { sendPage, viewContext } from "../../platform/web/view";
import { displayNames } from "../identity/service";
import { meetingsOfCase, minutesOfCase } from "../meetings/service";
import { organisationNames } from "../partners/service";
import { casesApiRoutes } from "./api";
import { CORE_ROLES } from "./policy";
import * as service from "./service";
import { CaseError } from "./service";
import { SubjectAccessPage, WhoSawPage } from "./views/audit";
import { ActionEditPage } from "./views/action-edit";
import { listReads, type ListReads } from "./list-memo";
import { CasePage } from "./views/case";
import type { Errors } from "./views/fields";
import { FeedbackPage } from "./views/feedback";
import { sendCaseList } from "./list-page";
import { WORK_PREVIEW, type WorkList, WorkPage } from "./views/list";
import { isCaseTransition } from "./workflow";
import { extend } from "../../platform/objects";

const idParam = z.object({ id: z.string().uuid() });
const text = (max: number) => z.string().trim().max(max).optional().default("");
const listQuery = z.object({ q: text(64), name: text(200), dob: text(10) });
type ListQuery = { q: string; name: string; dob: string; status?: service.ListStatusChoice; review?: service.ReviewChoice };
/** The label search and the filters as the list service takes them. */
const filterOf = (query: Pick<ListQuery, "q" | "status" | "review">): service.CaseListQuery => ({ q: query.q, status: service.statusesOf(query.status), reviewBy: service.reviewByOf(query.review) });
/** The same, as query-string parameters (paging and the export keep them); empty ones left out. */
export const listParams = (query: Pick<ListQuery, "q" | "status" | "review">): Record<string, string> =>
  Object.fromEntries(Object.entries({ q: query.q, status: query.status ?? "", review: query.review ?? "" }).filter(([, v]) => v !== ""));
/** The list's filters in the query string (no personal data): a status choice and a review horizon. */
const listFilters = z.object({
  status: z.enum(service.LIST_STATUS_CHOICES).optional().catch(undefined),
  review: z.enum(service.REVIEW_CHOICES).optional().catch(undefined),
});
const transitionBody = z.object({ transition: z.string(), reason: text(500), note: text(1000) });
const actionBody = z.object({ description: text(500), owner: text(64), due_on: text(10), revision: text(12) });
const feedbackBody = z.object({ consultation: text(64), content: text(4000) });
const sarBody = z.object({ name: text(200), dob: text(10), format: z.enum(["pdf", "json"]).default("pdf") });

export function casesRoutes(app: FastifyInstance, ctx: AppContext) {
  casesApiRoutes(app, ctx);

  /**
   * Who may own an action on this case (decision 0061, service.actionOwnerChoices): organisations whose
   * members can see the case. The pages offer only these and the saves refuse any other owner.
   */
  const ownerChoices = (c: { id: string; livcId: string }) => service.actionOwnerChoices(ctx, { id: c.id, livc_id: c.livcId });
  /** Organisation names by id, kept per list token under the sorted ids (decision 0086: a rename replaces the token). */
  const keptNames = async (reads: ListReads, ids: string[]) => {
    const sorted = [...new Set(ids)].sort();
    return new Map(await reads.memo(["organisationNames", ...sorted], async () => [...(await organisationNames(ctx, sorted))]));
  };
  /** Best effort after a save committed: the owners of new or moved actions are told (the daily job catches up). */
  const tellOwners = () => service.mailActionOwners(ctx).catch(() => undefined);

  async function renderCase(request: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: Errors; values?: Record<string, string>; notice?: string } = {}, status = 200) {
    // Reads only from here on: the case row and the grants are read once for the whole page, and its parts are
    // kept per list token (decision 0087). The token comes with the session statement (decision 0088); after a
    // form post, which does not ask for it, it is read in the same turn as the case row (on PostgreSQL one batch).
    const reads = service.listReads(ctx.database, request.listToken);
    reads.catch(() => undefined); // a failed token read fails the page at its first kept read, not as unhandled
    const who = service.readScope(whoOf(request), reads);
    try {
      // The case and its parts at once: each checks the case (once in the scope) and, with the parts kept, every
      // read's audit entries are recorded in one turn and go to the audit log in one group commit (decision 0087).
      // Nothing is shown before all of them are committed: each service awaits its own.
      const viewed = service.getCase(ctx, who, id);
      const [c, actions, timeline, minutes, feedback, meetings, choices] = await Promise.all([
        viewed,
        service.actionsOfCase(ctx, who, id),
        service.timeline(ctx, who, id),
        minutesOfCase(ctx, who, id),
        service.feedbackOfCase(ctx, who, id),
        meetingsOfCase(ctx, who, id),
        // Only the leads of the plan choose owners and see which owners lost access.
        viewed.then((v) => (v.may.managePlan ? service.actionOwnerChoices(ctx, { id: v.id, livc_id: v.livcId }, who) : new Set<string>())),
      ]);
      // Names for the choices, the owners of existing actions and the owner typed in a refused form, kept per list
      // token too (decision 0086: a change to an organisation replaces the token).
      const selected = extra.values?.owner ? [extra.values.owner] : [];
      const names = await keptNames(await reads, [...choices, ...actions.map((a) => a.ownerOrganisationId), ...selected]);
      const orgs = [...names].map(([oid, name]) => ({ id: oid, name })).sort((a, b) => a.name.localeCompare(b.name, "nl"));
      const ownerOptions = orgs.filter((o) => choices.has(o.id) || selected.includes(o.id));
      const consultations = meetings.filter((m) => m.status === "held").map((m) => ({ id: m.id, heldOn: m.held_on }));
      // Open actions whose owner cannot see the case: flagged to the leads so they give them to another organisation.
      const noAccess = c.may.managePlan ? actions.filter((a) => a.status === "open" && !choices.has(a.ownerOrganisationId)).map((a) => a.id) : [];
      return sendPage(
        reply,
        h(CasePage, { ctx: viewContext(request), c, actions, timeline, minutes, feedback, consultations, organisations: orgs, ownerOptions, noAccess, errors: extra.errors ?? {}, values: extra.values ?? {}, notice: extra.notice }),
        status,
      );
    } catch (e) {
      return caseFailure(request, reply, e);
    }
  }

  function caseFailure(request: FastifyRequest, reply: FastifyReply, e: unknown) {
    if (e instanceof CaseError) return sendError(request, reply, e.code === "not_allowed" ? 403 : e.code === "not_found" ? 404 : 400);
    throw e;
  }

  // The list: a label search in the query string (labels are not personal data) and one page of 50.
  // A search by name and date of birth is a POST (/cases/search), so a name never ends up in a URL,
  // a browser history or a server log.
  const renderList = async (request: FastifyRequest, reply: FastifyReply, query: ListQuery, page: number) => {
    const actor = request.actor!;
    const who = whoOf(request);
    const personSearch = actor.memberships.some((m) => (CORE_ROLES as readonly string[]).includes(m.role));
    const byPerson = personSearch && query.name.trim() !== "";
    // The list token read once for the list and the work lists (decisions 0075, 0078).
    const reads = await listReads(ctx.database, request.listToken);
    // Independent reads: on PostgreSQL their round trips overlap.
    const [list, work] = await Promise.all([
      service.casePage(ctx, who, byPerson ? { fullName: query.name, dateOfBirth: query.dob || undefined } : filterOf(query), byPerson ? 1 : page, byPerson ? 500 : undefined, reads),
      workList(request, WORK_PREVIEW, reads),
    ]);
    const exportParams = new URLSearchParams(byPerson ? {} : listParams(query)).toString();
    return sendCaseList(request, reply, viewContext(request), {
      list,
      query,
      personSearch,
      exportHref: `/cases/export.csv${exportParams ? `?${exportParams}` : ""}`,
      work,
    });
  };

  /** The work lists: overdue actions (as lead, as owner) and reviews due today; with a limit, the most urgent ones and whether there are more. */
  async function workList(request: FastifyRequest, limit?: number, reads?: ListReads): Promise<WorkList> {
    const actor = request.actor!;
    const who = whoOf(request);
    const ask = extend(limit === undefined ? {} : { limit: limit + 1 }, { reads: reads ?? (await listReads(ctx.database, request.listToken)) });
    const [overdue, reviews, open] = await Promise.all([service.overdueFor(ctx, who, undefined, ask), service.dueReviewsFor(ctx, who, undefined, 0, ask), service.openActionsFor(ctx, who, undefined, ask)]);
    const cut = <T,>(rows: T[]) => (limit === undefined ? rows : rows.slice(0, limit));
    // The owners' names, kept per list token too (decision 0086: a change to an organisation replaces the token).
    const orgs = await keptNames(ask.reads, [...cut(overdue.asLead), ...cut(overdue.asOwner), ...cut(open)].map((r) => r.ownerOrganisationId));
    const mapO = (r: (typeof overdue.asLead)[number]) => ({ actionId: r.actionId, caseId: r.caseId, label: r.label, owner: orgs.get(r.ownerOrganisationId) ?? "", dueOn: r.dueOn });
    return {
      overdueLead: cut(overdue.asLead).map(mapO),
      overdueOwner: cut(overdue.asOwner).map(mapO),
      openOwner: cut(open).map((r) => extend(mapO(r), { overdue: r.overdue })),
      reviews: cut(reviews),
      showLead: actor.memberships.some((m) => m.role === "chair" || m.role === "coordinator"),
      more: limit !== undefined && [overdue.asLead, overdue.asOwner, reviews, open].some((rows) => rows.length > limit),
    };
  }

  app.get("/cases/work", { config: { permission: "case.access", listToken: true } }, async (request, reply) => sendPage(reply, h(WorkPage, { ctx: viewContext(request), work: await workList(request) })));

  app.get("/cases", { config: { permission: "case.access", listToken: true } }, async (request, reply) => {
    const q = listQuery.safeParse(request.query ?? {});
    const page = pageParam.parse((request.query as Record<string, unknown> | undefined)?.page ?? 1);
    const f = listFilters.parse(request.query ?? {});
    return renderList(request, reply, { q: q.success ? q.data.q : "", name: "", dob: "", ...f }, page);
  });

  app.post("/cases/search", { config: { permission: "case.access" } }, async (request, reply) => {
    const b = listQuery.safeParse(request.body ?? {});
    return renderList(request, reply, { q: "", name: b.success ? b.data.name : "", dob: b.success ? b.data.dob : "" }, 1);
  });

  // The export obeys the same grants as the list: listCases applies the one visibility filter.
  app.get("/cases/export.csv", { config: { permission: "case.access" } }, async (request, reply) => {
    const q = listQuery.safeParse(request.query ?? {});
    const who = whoOf(request);
    // The whole list (not one page): a cell has at most a few thousand cases.
    const items = await service.listCases(ctx, who, extend(filterOf({ q: q.success ? q.data.q : "", ...listFilters.parse(request.query ?? {}) }), { limit: 100_000 }));
    await service.recordCaseExport(ctx, who, items.length);
    const csv = toCsv(["label", "status", "opened_on", "closed_on", "next_review_on"], items.map((c) => [c.label, c.status, c.openedOn, c.closedOn ?? "", c.nextReviewOn ?? ""]));
    return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="cases-${todayInBrussels()}.csv"`).send(csv);
  });

  app.get("/cases/:id", { config: { permission: "case.access", listToken: true } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const done = (request.query as Record<string, string> | undefined)?.done;
    return renderCase(request, reply, p.data.id, { notice: done ? viewContext(request).t(`case.t.${done}` as MessageKey) : undefined });
  });

  app.post("/cases/:id/transition", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const b = transitionBody.safeParse(request.body ?? {});
    if (!p.success || !b.success || !isCaseTransition(b.data.transition)) return sendError(request, reply, 400);
    const t = viewContext(request).t;
    try {
      await service.transitionCase(ctx, whoOf(request), p.data.id, b.data.transition, { reason: b.data.reason, note: b.data.note });
      return reply.redirect(`/cases/${p.data.id}?done=${b.data.transition}`, 303);
    } catch (e) {
      if (e instanceof CaseError && (e.code === "reason_required" || e.code === "wrong_status")) {
        const field = b.data.transition === "close" ? "reason" : `reason-${b.data.transition}`;
        return renderCase(request, reply, p.data.id, { errors: { [field]: e.code === "reason_required" ? t("case.error.reason") : t("case.error.wrong_status") }, values: b.data }, 400);
      }
      return caseFailure(request, reply, e);
    }
  });

  app.post("/cases/:id/actions", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const b = actionBody.safeParse(request.body ?? {});
    if (!p.success || !b.success) return sendError(request, reply, 400);
    const t = viewContext(request).t;
    const errors: Errors = {};
    if (!b.data.owner) errors.owner = t("case.error.owner");
    if (!isIsoDate(b.data.due_on)) errors.due_on = t("case.error.due");
    try {
      if (b.data.owner && !errors.owner) {
        const c = await service.visibleCase(ctx, whoOf(request), p.data.id);
        if (!(await ownerChoices({ id: c.id, livcId: c.livc_id })).has(b.data.owner)) errors.owner = t("case.error.owner_no_access");
      }
      if (Object.keys(errors).length) return renderCase(request, reply, p.data.id, { errors, values: b.data }, 400);
      await service.addActions(ctx, whoOf(request), p.data.id, [{ description: b.data.description || null, ownerOrganisationId: b.data.owner, dueOn: b.data.due_on }]);
      await tellOwners();
      return reply.redirect(`/cases/${p.data.id}`, 303);
    } catch (e) {
      return caseFailure(request, reply, e);
    }
  });

  app.post("/cases/actions/:id", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const status = (request.body as Record<string, string> | undefined)?.status;
    if (!p.success || !["open", "done", "cancelled"].includes(status ?? "")) return sendError(request, reply, 400);
    try {
      const caseId = await service.setActionStatus(ctx, whoOf(request), p.data.id, status as "open" | "done" | "cancelled");
      return reply.redirect(`/cases/${caseId}`, 303);
    } catch (e) {
      return caseFailure(request, reply, e);
    }
  });

  // A lead replans an open action (text, owner, due date) on its own page: a form per row would crowd the plan.
  type EditValues = { description: string; owner: string; due_on: string; revision: string };
  const renderActionEdit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    actionId: string,
    form?: { values: EditValues; errors: Errors; conflict?: boolean },
  ) => {
    const who = whoOf(request);
    // After a conflict the action may be done or cancelled by now: show it as it is saved, for comparison.
    const action = form?.conflict ? await service.actionAsSaved(ctx, who, actionId) : await service.actionForEdit(ctx, who, actionId);
    const choices = await ownerChoices({ id: action.caseId, livcId: action.livcId });
    const typed = form?.values ?? { description: action.description, owner: action.ownerOrganisationId, due_on: action.dueOn, revision: String(action.revision) };
    // A save after a conflict names the revision now saved: saving again is a deliberate choice.
    const values = form?.conflict ? extend(typed, { revision: String(action.revision) }) : typed;
    // The current owner stays in the list (it is what the plan says now), flagged when it cannot see the case.
    const names = await organisationNames(ctx, [...choices, action.ownerOrganisationId, ...(values.owner ? [values.owner] : [])]);
    const t = viewContext(request).t;
    const label = (id: string, name: string) => (choices.has(id) ? name : `${name} (${t("case.plan.owner_no_access")})`);
    const ownerOptions = [...names]
      .filter(([id]) => choices.has(id) || id === action.ownerOrganisationId)
      .map(([id, name]) => ({ id, name: label(id, name) }))
      .sort((a, b) => a.name.localeCompare(b.name, "nl"));
    const notice = form?.conflict ? (action.status === "open" ? t("case.plan.conflict") : t("case.plan.conflict_closed", { status: t(`case.plan.status.${action.status}` as MessageKey) })) : undefined;
    const saved = form?.conflict ? { description: action.description, owner: names.get(action.ownerOrganisationId) ?? "", dueOn: action.dueOn } : undefined;
    return sendPage(
      reply,
      h(ActionEditPage, { ctx: viewContext(request), action, values, ownerOptions, errors: form?.errors ?? {}, notice, saved, open: action.status === "open" }),
      form?.conflict ? 409 : form ? 400 : 200,
    );
  };

  app.get("/cases/actions/:id/edit", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    try {
      return await renderActionEdit(request, reply, p.data.id);
    } catch (e) {
      return caseFailure(request, reply, e);
    }
  });

  app.post("/cases/actions/:id/edit", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const b = actionBody.safeParse(request.body ?? {});
    if (!p.success || !b.success) return sendError(request, reply, 400);
    const t = viewContext(request).t;
    const who = whoOf(request);
    const revision = /^\d{1,9}$/.test(b.data.revision) ? Number(b.data.revision) : -1;
    try {
      const current = await service.actionAsSaved(ctx, who, p.data.id);
      // Done, cancelled or changed since the form was loaded: nothing is saved, the typed input stays (decision 0061).
      if (current.status !== "open" || current.revision !== revision) return await renderActionEdit(request, reply, p.data.id, { values: b.data, errors: {}, conflict: true });
      const errors: Errors = {};
      if (!b.data.owner) errors.owner = t("case.error.owner");
      // The one rule, also for the current owner: an organisation that cannot see the case is not kept as owner.
      else if (!(await ownerChoices({ id: current.caseId, livcId: current.livcId })).has(b.data.owner)) errors.owner = t("case.error.owner_no_access");
      if (!isIsoDate(b.data.due_on)) errors.due_on = t("case.error.due");
      if (Object.keys(errors).length) return await renderActionEdit(request, reply, p.data.id, { values: b.data, errors });
      const caseId = await service.updateAction(ctx, who, p.data.id, { description: b.data.description || null, ownerOrganisationId: b.data.owner, dueOn: b.data.due_on, revision });
      await tellOwners();
      return reply.redirect(`/cases/${caseId}`, 303);
    } catch (e) {
      if (e instanceof CaseError && e.code === "conflict") return renderActionEdit(request, reply, p.data.id, { values: b.data, errors: {}, conflict: true }).catch((err) => caseFailure(request, reply, err));
      return caseFailure(request, reply, e);
    }
  });

  app.post("/cases/:id/hold", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 400);
    const reason = String((request.body as Record<string, string> | undefined)?.reason ?? "").slice(0, 500);
    try {
      await service.setLegalHold(ctx, whoOf(request), p.data.id, reason || null);
      return reply.redirect(`/cases/${p.data.id}`, 303);
    } catch (e) {
      if (e instanceof CaseError && e.code === "reason_required") return renderCase(request, reply, p.data.id, { errors: { hold_reason: viewContext(request).t("case.error.reason") } }, 400);
      return caseFailure(request, reply, e);
    }
  });

  app.get("/cases/:id/who-saw", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    try {
      const c = await service.getCase(ctx, whoOf(request), p.data.id);
      if (!c.may.whoSaw) return sendError(request, reply, 403);
      return sendPage(reply, h(WhoSawPage, { ctx: viewContext(request), caseId: c.id, label: c.label, rows: await whoSaw(ctx, "case", c.id) }));
    } catch (e) {
      return caseFailure(request, reply, e);
    }
  });

  // --- feedback form ---------------------------------------------------------------------------

  app.post("/cases/:id/feedback", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const b = feedbackBody.safeParse(request.body ?? {});
    if (!p.success || !b.success) return sendError(request, reply, 400);
    if (!b.data.content) return renderCase(request, reply, p.data.id, { errors: { content: viewContext(request).t("case.fb.error.content") }, values: b.data }, 400);
    try {
      const id = await service.draftFeedback(ctx, whoOf(request), p.data.id, b.data.consultation, b.data.content);
      return reply.redirect(`/feedback/${id}`, 303);
    } catch (e) {
      // Decision 0051: only a held consultation that had the case on its agenda; the typed text is kept.
      if (e instanceof service.FeedbackConsultationError) {
        const message = viewContext(request).t(`case.fb.error.consultation.${e.reason}`);
        return renderCase(request, reply, p.data.id, { errors: { consultation: message }, values: b.data }, 400);
      }
      return caseFailure(request, reply, e);
    }
  });

  async function renderFeedback(request: FastifyRequest, reply: FastifyReply, id: string, errors: Errors = {}, status = 200) {
    try {
      const f = await service.getFeedback(ctx, whoOf(request), id);
      const c = await service.caseRow(ctx, f.caseId);
      const names = await displayNames(ctx, f.attendees.map((a) => a.userId));
      return sendPage(reply, h(FeedbackPage, { ctx: viewContext(request), f, label: c?.label ?? "", names, errors }), status);
    } catch (e) {
      return caseFailure(request, reply, e);
    }
  }

  app.get("/feedback/:id", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    return p.success ? renderFeedback(request, reply, p.data.id) : sendError(request, reply, 404);
  });

  for (const step of ["vote", "attest", "send", "edit"] as const) {
    app.post(`/feedback/:id/${step}`, { config: { permission: "case.access" } }, async (request, reply) => {
      const p = idParam.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      const body = (request.body ?? {}) as Record<string, string>;
      const who = whoOf(request);
      try {
        if (step === "vote") {
          if (body.vote !== "approve" && body.vote !== "object") return sendError(request, reply, 400);
          await service.voteFeedback(ctx, who, p.data.id, body.vote);
        } else if (step === "attest") await service.attestFeedback(ctx, who, p.data.id);
        else if (step === "send") await service.markFeedbackSent(ctx, who, p.data.id);
        else {
          const content = String(body.content ?? "").trim().slice(0, 4000);
          if (!content) return renderFeedback(request, reply, p.data.id, { content: viewContext(request).t("case.fb.error.content") }, 400);
          await service.editFeedback(ctx, who, p.data.id, content);
        }
        return reply.redirect(`/feedback/${p.data.id}`, 303);
      } catch (e) {
        if (e instanceof CaseError && e.code === "wrong_status") return renderFeedback(request, reply, p.data.id, {}, 409);
        return caseFailure(request, reply, e);
      }
    });
  }

  // --- subject access (DPO) ------------------------------------------------------------------

  app.get("/subject-access", { config: { permission: "audit.export" } }, async (request, reply) =>
    sendPage(reply, h(SubjectAccessPage, { ctx: viewContext(request), values: {}, errors: {} })),
  );

  app.post("/subject-access", { config: { permission: "audit.export" } }, async (request, reply) => {
    const b = sarBody.safeParse(request.body ?? {});
    const values = b.success ? b.data : { name: "", dob: "", format: "pdf" as const };
    if (!b.success || !values.name || (values.dob && !isIsoDate(values.dob))) {
      const t = viewContext(request).t;
      const errors: Errors = {};
      if (!values.name) errors.name = t("case.sar.error.name");
      if (values.dob && !isIsoDate(values.dob)) errors.dob = t("case.error.due");
      return sendPage(reply, h(SubjectAccessPage, { ctx: viewContext(request), values, errors }), 400);
    }
    const data = await service.subjectAccessExport(ctx, whoOf(request), { fullName: values.name, dateOfBirth: values.dob || null });
    // No name in the file name: the download's name carries no personal data.
    if (values.format === "json") {
      return reply.type("application/json; charset=utf-8").header("content-disposition", `attachment; filename="subject-access-${todayInBrussels()}.json"`).send(JSON.stringify(data, null, 2));
    }
    return reply.type("application/pdf").header("content-disposition", `attachment; filename="subject-access-${todayInBrussels()}.pdf"`).send(await service.subjectAccessPdf(data));
  });
}
