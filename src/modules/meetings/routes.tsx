import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isIsoDate } from "../../platform/db/values";
import type { MessageKey } from "../../platform/i18n";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import * as cases from "../cases/service";
import type { Errors } from "../cases/views/fields";
import { livcById } from "../registry/service";
import * as service from "./service";
import { MeetingError } from "./service";
import { meetingListFor } from "./replan";
import { replanRoutes } from "./replan-routes";
import { MeetingPage, MeetingsPage, MinutesPage, NobodyPresentPage } from "./views/meeting";
import { ScheduleStep1, ScheduleStep2, type ScheduleValues } from "./views/schedule";
import { extend } from "../../platform/objects";

const idParam = z.object({ id: z.string().uuid() });
const minutesParam = z.object({ id: z.string().uuid(), caseId: z.string().uuid() });
const str = (v: unknown, max: number) => (typeof v === "string" ? v.trim().slice(0, max) : "");
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string").slice(0, 50);

export function meetingsRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  const failure = (request: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (e instanceof MeetingError || e instanceof cases.CaseError) return sendError(request, reply, e.code === "not_allowed" ? 403 : e.code === "not_found" ? 404 : 400);
    throw e;
  };

  app.get("/meetings", { config: { permission: "case.access" } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const status = (["planned", "held", "cancelled"] as const).find((s) => s === query.status);
    const page = /^\d{1,6}$/.test(str(query.page, 6)) ? Number(query.page) : 1;
    const list = await meetingListFor(ctx, request.actor, { status, page });
    const canSchedule = service.meetingPolicy.livcIds(request.actor, "schedule").length > 0;
    return sendPage(reply, h(MeetingsPage, { ctx: viewContext(request), ...list, status: status ?? "", canSchedule }));
  });

  replanRoutes(app, ctx);

  const OPEN: ("active" | "in_follow_up")[] = ["active", "in_follow_up"];

  /** The form's values (both steps post all of them); services only for the chosen cases. */
  function scheduleValues(body: Record<string, unknown>): ScheduleValues {
    const values: ScheduleValues = {
      livc: str(body.livc, 64),
      held_on: str(body.held_on, 10),
      starts_at: str(body.starts_at, 5),
      place: str(body.place, 200),
      video_url: str(body.video_url, 500),
      cases: [...new Set(list(body.cases))],
      services: {},
    };
    for (const c of values.cases) values.services[c] = [...new Set(list(body[`services_${c}`]))];
    return values;
  }
  const basics = (v: ScheduleValues): service.ScheduleBasics => ({ livcId: v.livc, heldOn: v.held_on, startsAt: v.starts_at || null, place: v.place || null, videoUrl: v.video_url || null, caseIds: v.cases });

  /** Step 1: when, where, and the cases, from one page of the LIVC's open cases (label search). */
  async function renderStep1(request: FastifyRequest, reply: FastifyReply, values: ScheduleValues, q: string, page: number, errors: Errors, status = 200) {
    const livcIds = service.meetingPolicy.livcIds(request.actor, "schedule");
    if (livcIds.length === 0) return sendError(request, reply, 403);
    const livcs = (await Promise.all(livcIds.map((id) => livcById(db, id)))).filter((l) => l !== undefined).map((l) => ({ id: l.id, name: l.name }));
    const livc = livcIds.includes(values.livc) ? values.livc : livcIds[0];
    const labels = await cases.labelsOf(ctx, values.cases);
    // Chosen cases of another LIVC (the LIVC was changed) or no longer open drop out.
    const chosen = values.cases.flatMap((id) => {
      const c = labels.get(id);
      return c && c.livcId === livc && (OPEN as string[]).includes(c.status) ? [{ id, label: c.label, status: c.status }] : [];
    });
    const list = await cases.casePage(ctx, whoOf(request), { status: OPEN, livcId: livc, q }, page);
    const kept = extend(values, { livc, cases: chosen.map((c) => c.id) });
    return sendPage(reply, h(ScheduleStep1, { ctx: viewContext(request), livcs, values: kept, q, chosen, list, errors }), status);
  }

  /** Step 2: per chosen case, the services offered (seated in the LIVC on the date, or invited for the case before). */
  async function renderStep2(request: FastifyRequest, reply: FastifyReply, values: ScheduleValues, errors: Errors, status = 200) {
    const [labels, offered, livc] = await Promise.all([cases.labelsOf(ctx, values.cases), service.servicesOffered(ctx, values.livc, values.cases, values.held_on), livcById(db, values.livc)]);
    const items = values.cases.map((id) => ({ id, label: labels.get(id)?.label ?? "", status: labels.get(id)?.status ?? "", offered: offered.get(id) ?? [] }));
    return sendPage(reply, h(ScheduleStep2, { ctx: viewContext(request), livcName: livc?.name ?? "", values, items, errors }), status);
  }

  /** Step 1's checks; on a failure, step 1 again with the error on its field. Null when all is well. */
  async function checkStep1(request: FastifyRequest, reply: FastifyReply, values: ScheduleValues, q: string) {
    try {
      await service.checkSchedule(ctx, whoOf(request), basics(values));
      return null;
    } catch (e) {
      if (e instanceof MeetingError && (e.code === "invalid" || e.code === "no_framework")) {
        const field = e.field ?? "held_on";
        const t = viewContext(request).t;
        return renderStep1(request, reply, values, q, 1, { [field]: t((e.code === "no_framework" ? "mtg.error.no_framework" : `mtg.error.${field}`) as MessageKey) }, 400);
      }
      return failure(request, reply, e);
    }
  }

  app.get("/meetings/new", { config: { permission: "case.access" } }, async (request, reply) => {
    const livc = str((request.query as Record<string, unknown>)?.livc, 64);
    return renderStep1(request, reply, { livc, held_on: "", starts_at: "", place: "", video_url: "", cases: [], services: {} }, "", 1, {});
  });

  // Step 1's buttons (search, previous/next page, on to the services) and step 2's "back": one POST,
  // so that everything typed and ticked so far travels along without JavaScript or a draft record.
  app.post("/meetings/new", { config: { permission: "case.access" } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = scheduleValues(body);
    const q = str(body.q, 64);
    const go = str(body.go, 20);
    if (go === "next") return (await checkStep1(request, reply, values, q)) ?? renderStep2(request, reply, values, {});
    const page = /^page-\d{1,6}$/.test(go) ? Number(go.slice(5)) : 1;
    return renderStep1(request, reply, values, q, page, {});
  });

  // Step 2's submit. A service that was not offered for its case is refused with a field error.
  app.post("/meetings", { config: { permission: "case.access" } }, async (request, reply) => {
    const values = scheduleValues((request.body ?? {}) as Record<string, unknown>);
    const refused = await checkStep1(request, reply, values, "");
    if (refused) return refused;
    const offered = await service.servicesOffered(ctx, values.livc, values.cases, values.held_on);
    const t = viewContext(request).t;
    const errors: Errors = {};
    for (const c of values.cases) {
      const ids = new Set((offered.get(c) ?? []).map((o) => o.id));
      if (values.services[c].some((o) => !ids.has(o))) errors[`svc-${c}`] = t("mtg.error.service_not_offered");
    }
    if (Object.keys(errors).length) {
      for (const c of values.cases) values.services[c] = values.services[c].filter((o) => offered.get(c)?.some((x) => x.id === o));
      return renderStep2(request, reply, values, errors, 400);
    }
    try {
      const id = await service.scheduleMeeting(ctx, whoOf(request), extend(basics(values), { items: values.cases.map((caseId) => ({ caseId, organisationIds: values.services[caseId] })) }));
      return reply.redirect(`/meetings/${id}`, 303);
    } catch (e) {
      return failure(request, reply, e);
    }
  });

  /** Action owners in the minutes (decision 0061): only organisations that can see the case (cases.actionOwnerOptions). */
  const ownerChoices = (livcId: string, caseId: string) => cases.actionOwnerOptions(ctx, { id: caseId, livc_id: livcId });

  /** The meeting page; a refused register (decision 0058) comes back with its error and the ticks as posted. */
  async function renderMeeting(request: FastifyRequest, reply: FastifyReply, id: string, notice?: string, refused?: { errors: Errors; present: string[] }) {
    const who = whoOf(request);
    try {
      const m = await service.meetingView(ctx, who, id);
      const participants = m.acknowledged && m.may.attendance ? await service.expectedParticipants(ctx, who, id) : [];
      return sendPage(reply, h(MeetingPage, { ctx: viewContext(request), m, participants, notice, ...refused }), refused ? 400 : 200);
    } catch (e) {
      return failure(request, reply, e);
    }
  }

  app.get("/meetings/:id", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const done = (request.query as Record<string, string> | undefined)?.done;
    const t = viewContext(request).t;
    const notices: Record<string, MessageKey> = { attendance: "mtg.att.saved", nobody: "mtg.att.saved_nobody", minutes: "mtg.min.saved", rescheduled: "mtg.resched.saved", cancelled: "mtg.cancel.done" };
    return renderMeeting(request, reply, p.data.id, done && Object.hasOwn(notices, done) ? t(notices[done]) : undefined);
  });

  app.post("/meetings/:id/acknowledge", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    try {
      await service.acknowledgeConfidentiality(ctx, whoOf(request), p.data.id);
      return reply.redirect(`/meetings/${p.data.id}`, 303);
    } catch (e) {
      return failure(request, reply, e);
    }
  });

  app.post("/meetings/:id/attendance", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const present = list(body.present);
    try {
      // Decision 0058: nobody ticked asks for confirmation first (no JavaScript: a second POST with confirm=nobody).
      const { held } = await service.recordMeetingAttendance(ctx, whoOf(request), p.data.id, present, { confirmNobody: body.confirm === "nobody" });
      return reply.redirect(`/meetings/${p.data.id}?done=${held ? "attendance" : "nobody"}`, 303);
    } catch (e) {
      if (e instanceof MeetingError && (e.code === "before_day" || e.code === "nobody_present")) {
        const meeting = await service.meetingRow(ctx, p.data.id);
        if (!meeting) return sendError(request, reply, 404);
        if (e.code === "nobody_present") return sendPage(reply, h(NobodyPresentPage, { ctx: viewContext(request), meetingId: meeting.id, heldOn: meeting.held_on }));
        const t = viewContext(request).t;
        return renderMeeting(request, reply, p.data.id, undefined, { errors: { present: t("mtg.error.before_day.attendance", { date: viewContext(request).date(meeting.held_on) }) }, present });
      }
      return failure(request, reply, e);
    }
  });

  /**
   * The minutes form. On a conflict (decision 0058) the posted values stay in the form, the version
   * saved meanwhile is shown beside them, and the form now carries that version's revision: saving
   * again replaces it knowingly.
   */
  async function renderMinutes(request: FastifyRequest, reply: FastifyReply, meetingId: string, caseId: string, values: Record<string, string>, errors: Errors, status = 200, conflict = false) {
    const who = whoOf(request);
    try {
      const m = await service.meetingView(ctx, who, meetingId);
      const item = m.agenda.find((a) => a.caseId === caseId);
      if (!item || !m.may.minute) return sendError(request, reply, 404);
      const revision = String(item.minutes?.revision ?? 0);
      const initial: Record<string, string> = Object.keys(values).length
        ? extend(values, { ...(conflict ? { revision } : {}) })
        : { decisions: item.minutes?.decisions ?? "", next_review_on: item.minutes?.nextReviewOn ?? "", revision };
      const saved = conflict && item.minutes ? { decisions: item.minutes.decisions, nextReviewOn: item.minutes.nextReviewOn, recordedAt: item.minutes.recordedAt } : undefined;
      const beforeDay = m.beforeDay ? m.heldOn : undefined;
      return sendPage(reply, h(MinutesPage, { ctx: viewContext(request), meetingId, caseId, label: item.label, organisations: await ownerChoices(m.livcId, caseId), values: initial, errors, beforeDay, conflict: saved }), status);
    } catch (e) {
      return failure(request, reply, e);
    }
  }

  app.get("/meetings/:id/cases/:caseId/minutes", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = minutesParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    return renderMinutes(request, reply, p.data.id, p.data.caseId, {}, {});
  });

  app.post("/meetings/:id/cases/:caseId/minutes", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = minutesParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const revision = str(body.revision, 9);
    const values: Record<string, string> = { decisions: str(body.decisions, 4000), next_review_on: str(body.next_review_on, 10), revision: /^\d{1,9}$/.test(revision) ? revision : "0" };
    const t = viewContext(request).t;
    const errors: Errors = {};
    if (values.next_review_on && !isIsoDate(values.next_review_on)) errors.next_review_on = t("case.error.due");
    const actions: service.MinutesInput["actions"] = [];
    // An owner outside the offered organisations is refused (the page checks who may minute).
    const meeting = await service.meetingRow(ctx, p.data.id);
    const owners = new Set(meeting ? (await ownerChoices(meeting.livc_id, p.data.caseId)).map((o) => o.id) : []);
    for (const n of [1, 2, 3]) {
      const d = str(body[`action${n}_description`], 500);
      const owner = str(body[`action${n}_owner`], 64);
      const due = str(body[`action${n}_due_on`], 10);
      Object.assign(values, { [`action${n}_description`]: d, [`action${n}_owner`]: owner, [`action${n}_due_on`]: due });
      if (!d && !owner && !due) continue;
      if (!owner) errors[`action${n}_owner`] = t("case.error.owner");
      else if (!owners.has(owner)) errors[`action${n}_owner`] = t("mtg.error.owner_outside");
      if (!isIsoDate(due)) errors[`action${n}_due_on`] = t("case.error.due");
      actions.push({ description: d || null, ownerOrganisationId: owner, dueOn: due });
    }
    if (Object.keys(errors).length) return renderMinutes(request, reply, p.data.id, p.data.caseId, values, errors, 400);
    try {
      const input = { decisions: values.decisions || null, nextReviewOn: values.next_review_on || null, actions, revision: Number(values.revision) };
      await service.saveCaseMinutes(ctx, whoOf(request), p.data.id, p.data.caseId, input);
      // Decision 0061: the owners of the new actions are told, best effort after the commit.
      await cases.mailActionOwners(ctx).catch(() => undefined);
      return reply.redirect(`/meetings/${p.data.id}?done=minutes`, 303);
    } catch (e) {
      if (e instanceof MeetingError && e.code === "conflict") return renderMinutes(request, reply, p.data.id, p.data.caseId, values, { decisions: t("mtg.error.conflict") }, 409, true);
      if (e instanceof MeetingError && e.code === "before_day" && meeting) {
        return renderMinutes(request, reply, p.data.id, p.data.caseId, values, { decisions: t("mtg.error.before_day.minutes", { date: viewContext(request).date(meeting.held_on) }) }, 400);
      }
      return failure(request, reply, e);
    }
  });
}
