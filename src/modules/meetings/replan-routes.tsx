import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { MessageKey } from "../../platform/i18n";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import * as cases from "../cases/service";
import type { Errors } from "../cases/views/fields";
import * as replan from "./replan";
import { MeetingError, meetingRow } from "./service";
import { AddCasePage, AgendaPage, CancelPage, NotPlannedPage, ReschedulePage, type RescheduleValues } from "./views/replan";
import { extend } from "../../platform/objects";

/**
 * Re-planning a planned consultation over HTTP (decision 0043): reschedule, cancel, the agenda.
 * The service decides who may (chair, coordinator of the LIVC; 403 for other participants, 404 for
 * outsiders) and answers a meeting that is no longer planned with a page saying so (409, decision
 * 0058; it was a bare 400 "Ongeldige aanvraag"). Refused input comes back with
 * the typed values and an error summary linked to the fields.
 */
const idParam = z.object({ id: z.string().uuid() });
const str = (v: unknown, max: number) => (typeof v === "string" ? v.trim().slice(0, max) : "");
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string").slice(0, 50);
const OPEN: ("active" | "in_follow_up")[] = ["active", "in_follow_up"];

export function replanRoutes(app: FastifyInstance, ctx: AppContext) {
  const failure = (request: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (e instanceof MeetingError || e instanceof cases.CaseError) return sendError(request, reply, e.code === "not_allowed" ? 403 : e.code === "not_found" ? 404 : 400);
    throw e;
  };
  /** The meeting id and the re-plannable meeting, or an error page already sent. */
  async function meetingOf(request: FastifyRequest, reply: FastifyReply) {
    const p = idParam.safeParse(request.params);
    if (!p.success) return void (await sendError(request, reply, 404));
    try {
      return await replan.plannedMeeting(ctx, whoOf(request), p.data.id);
    } catch (e) {
      const row = e instanceof MeetingError && e.code === "not_planned" ? await meetingRow(ctx, p.data.id) : undefined;
      if (row) return void (await sendPage(reply, h(NotPlannedPage, { ctx: viewContext(request), id: row.id, heldOn: row.held_on }), 409));
      return void (await failure(request, reply, e));
    }
  }
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const fieldError = (request: FastifyRequest, e: MeetingError): Errors =>
    e.field === "closed_case" ? { closed_case: viewContext(request).t("mtg.error.closed_case", { label: e.label ?? "" }) } : fieldErrorOf(request, e);
  const fieldErrorOf = (request: FastifyRequest, e: MeetingError): Errors => ({ [e.field === "held_on_past" ? "held_on" : (e.field ?? "held_on")]: viewContext(request).t((e.code === "no_framework" ? "mtg.error.no_framework" : `mtg.error.${e.field}`) as MessageKey) });

  // --- reschedule -----------------------------------------------------------------------------------
  app.get("/meetings/:id/reschedule", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    const values = { held_on: m.held_on, starts_at: m.starts_at ?? "", place: m.place ?? "", video_url: m.video_url ?? "", loaded: replan.rescheduleFingerprint(m) };
    return sendPage(reply, h(ReschedulePage, { ctx: viewContext(request), id: m.id, heldOn: m.held_on, values, errors: {} }));
  });

  app.post("/meetings/:id/reschedule", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    const b = body(request);
    // A form without `loaded` (an older page) never matches: refused as a conflict, nothing overwritten.
    const values: RescheduleValues = { held_on: str(b.held_on, 10), starts_at: str(b.starts_at, 5), place: str(b.place, 200), video_url: str(b.video_url, 500), loaded: typeof b.loaded === "string" ? b.loaded.slice(0, 1000) : "" };
    try {
      await replan.rescheduleMeeting(ctx, whoOf(request), m.id, { heldOn: values.held_on, startsAt: values.starts_at || null, place: values.place || null, videoUrl: values.video_url || null, loaded: values.loaded });
      return reply.redirect(`/meetings/${m.id}?done=rescheduled`, 303);
    } catch (e) {
      if (e instanceof MeetingError && e.code === "conflict") {
        // Decision 0058: the typed values stay; the meeting as it is now is shown; the form now carries that state.
        const now = (await meetingRow(ctx, m.id)) ?? m;
        const current = { heldOn: now.held_on, startsAt: now.starts_at, place: now.place, videoUrl: now.video_url };
        const errors = { held_on: viewContext(request).t("mtg.error.resched_conflict") };
        return sendPage(reply, h(ReschedulePage, { ctx: viewContext(request), id: m.id, heldOn: now.held_on, values: extend(values, { loaded: replan.rescheduleFingerprint(now) }), errors, current }), 409);
      }
      if (e instanceof MeetingError && (e.code === "invalid" || e.code === "no_framework")) {
        return sendPage(reply, h(ReschedulePage, { ctx: viewContext(request), id: m.id, heldOn: m.held_on, values, errors: fieldError(request, e) }), 400);
      }
      return failure(request, reply, e);
    }
  });

  // --- cancel ---------------------------------------------------------------------------------------
  app.get("/meetings/:id/cancel", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    return sendPage(reply, h(CancelPage, { ctx: viewContext(request), id: m.id, heldOn: m.held_on, values: { reason: "", note: "" }, errors: {} }));
  });

  app.post("/meetings/:id/cancel", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    const b = body(request);
    // A reason code only (decision 0053): the form has no note, and a posted one is not read.
    const values = { reason: str(b.reason, 40), note: "" };
    try {
      await replan.cancelMeeting(ctx, whoOf(request), m.id, values);
      return reply.redirect(`/meetings/${m.id}?done=cancelled`, 303);
    } catch (e) {
      if (e instanceof MeetingError && e.code === "invalid") return sendPage(reply, h(CancelPage, { ctx: viewContext(request), id: m.id, heldOn: m.held_on, values, errors: fieldError(request, e) }), 400);
      return failure(request, reply, e);
    }
  });

  // --- agenda ---------------------------------------------------------------------------------------
  async function renderAgenda(request: FastifyRequest, reply: FastifyReply, m: Awaited<ReturnType<typeof replan.plannedMeeting>>, errors: Errors, status = 200) {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const q = str(query.q, 64);
    const page = /^\d{1,6}$/.test(str(query.page, 6)) ? Number(query.page) : 1;
    const ids = await replan.agendaCaseIds(ctx, m.id);
    const labels = await cases.labelsOf(ctx, ids);
    const agenda = ids.map((id) => ({ id, label: labels.get(id)?.label ?? "", status: labels.get(id)?.status ?? "" }));
    const found = await cases.casePage(ctx, whoOf(request), { status: OPEN, livcId: m.livc_id, q }, page);
    const done = str(query.done, 10);
    const t = viewContext(request).t;
    const notice = done === "removed" ? t("mtg.agenda.removed") : done === "added" ? t("mtg.agenda.added") : undefined;
    return sendPage(reply, h(AgendaPage, { ctx: viewContext(request), id: m.id, heldOn: m.held_on, agenda, q, list: found, errors, notice }), status);
  }

  app.get("/meetings/:id/agenda", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    return renderAgenda(request, reply, m, {});
  });

  app.post("/meetings/:id/agenda/remove", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    try {
      await replan.removeAgendaCase(ctx, whoOf(request), m.id, str(body(request).case, 64));
      return reply.redirect(`/meetings/${m.id}/agenda?done=removed`, 303);
    } catch (e) {
      if (e instanceof MeetingError && e.code === "invalid") return renderAgenda(request, reply, m, { remove: viewContext(request).t(`mtg.error.${e.field}` as MessageKey) }, 400);
      return failure(request, reply, e);
    }
  });

  async function renderAddCase(request: FastifyRequest, reply: FastifyReply, m: Awaited<ReturnType<typeof replan.plannedMeeting>>, caseId: string, chosen: string[], errors: Errors, status = 200) {
    try {
      const offered = await replan.servicesForNewCase(ctx, whoOf(request), m.id, caseId);
      const c = (await cases.labelsOf(ctx, [caseId])).get(caseId);
      const item = { id: caseId, label: c?.label ?? "", status: c?.status ?? "" };
      return sendPage(reply, h(AddCasePage, { ctx: viewContext(request), id: m.id, item, offered, chosen: chosen.filter((o) => offered.some((x) => x.id === o)), errors }), status);
    } catch (e) {
      if (e instanceof MeetingError && e.field === "case") return renderAgenda(request, reply, m, { case: viewContext(request).t("mtg.error.case") }, 400);
      return failure(request, reply, e);
    }
  }

  // Picking a case is a GET (the agenda page's radio list); no case, or one that cannot go on, sends the list back.
  app.get("/meetings/:id/agenda/add", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    return renderAddCase(request, reply, m, str((request.query as Record<string, unknown> | undefined)?.case, 64), [], {});
  });

  app.post("/meetings/:id/agenda/add", { config: { permission: "case.access" } }, async (request, reply) => {
    const m = await meetingOf(request, reply);
    if (!m) return reply;
    const caseId = str(body(request).case, 64);
    const organisationIds = [...new Set(list(body(request).services))];
    try {
      await replan.addAgendaCase(ctx, whoOf(request), m.id, { caseId, organisationIds });
      return reply.redirect(`/meetings/${m.id}/agenda?done=added`, 303);
    } catch (e) {
      if (e instanceof MeetingError && e.field === "services") return renderAddCase(request, reply, m, caseId, organisationIds, { services: viewContext(request).t("mtg.error.service_not_offered") }, 400);
      if (e instanceof MeetingError && e.field === "case") return renderAgenda(request, reply, m, { case: viewContext(request).t("mtg.error.case") }, 400);
      return failure(request, reply, e);
    }
  });
}
