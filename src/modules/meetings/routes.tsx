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
import { organisations, seatsOfLivc } from "../partners/service";
import { livcById } from "../registry/service";
import * as service from "./service";
import { MeetingError } from "./service";
import { MeetingPage, MeetingsPage, MinutesPage, SchedulePage, type ScheduleValues } from "./views/meeting";

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
    const rows = await service.meetingsFor(ctx, request.actor);
    const canSchedule = service.meetingPolicy.livcIds(request.actor, "schedule").length > 0;
    return sendPage(reply, h(MeetingsPage, { ctx: viewContext(request), rows, canSchedule }));
  });

  async function organisationsFor(livcId: string) {
    const seats = (await seatsOfLivc(ctx, livcId)).filter((s) => s.active && s.organisation_id && s.seat === "partner");
    if (seats.length > 0) return seats.map((s) => ({ id: s.organisation_id!, name: s.organisation_name ?? "" }));
    return (await organisations(ctx)).map((o) => ({ id: o.id, name: o.name }));
  }

  async function renderSchedule(request: FastifyRequest, reply: FastifyReply, values: ScheduleValues, errors: Errors, status = 200) {
    const livcIds = service.meetingPolicy.livcIds(request.actor, "schedule");
    if (livcIds.length === 0) return sendError(request, reply, 403);
    const livcs = (await Promise.all(livcIds.map((id) => livcById(db, id)))).filter((l) => l !== undefined).map((l) => ({ id: l.id, name: l.name }));
    const livc = livcIds.includes(values.livc) ? values.livc : livcIds[0];
    const open = await cases.listCases(ctx, whoOf(request), { status: ["active", "in_follow_up"], livcId: livc });
    return sendPage(
      reply,
      h(SchedulePage, { ctx: viewContext(request), livcs, cases: open.map((c) => ({ id: c.id, label: c.label, livcId: c.livcId })), organisations: await organisationsFor(livc), values: { ...values, livc }, errors }),
      status,
    );
  }

  app.get("/meetings/new", { config: { permission: "case.access" } }, async (request, reply) => {
    const livc = str((request.query as Record<string, unknown>)?.livc, 64);
    return renderSchedule(request, reply, { livc, held_on: "", starts_at: "", place: "", video_url: "", cases: [], services: {} }, {});
  });

  app.post("/meetings", { config: { permission: "case.access" } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: ScheduleValues = {
      livc: str(body.livc, 64),
      held_on: str(body.held_on, 10),
      starts_at: str(body.starts_at, 5),
      place: str(body.place, 200),
      video_url: str(body.video_url, 500),
      cases: list(body.cases),
      services: {},
    };
    for (const c of values.cases) values.services[c] = list(body[`services_${c}`]);
    const t = viewContext(request).t;
    try {
      const id = await service.scheduleMeeting(ctx, whoOf(request), {
        livcId: values.livc,
        heldOn: values.held_on,
        startsAt: values.starts_at || null,
        place: values.place || null,
        videoUrl: values.video_url || null,
        items: values.cases.map((caseId) => ({ caseId, organisationIds: values.services[caseId] ?? [] })),
      });
      return reply.redirect(`/meetings/${id}`, 303);
    } catch (e) {
      if (e instanceof MeetingError && (e.code === "invalid" || e.code === "no_framework")) {
        const field = e.field ?? "held_on";
        return renderSchedule(request, reply, values, { [field]: t((e.code === "no_framework" ? "mtg.error.no_framework" : `mtg.error.${field}`) as MessageKey) }, 400);
      }
      return failure(request, reply, e);
    }
  });

  async function renderMeeting(request: FastifyRequest, reply: FastifyReply, id: string, notice?: string) {
    const who = whoOf(request);
    try {
      const m = await service.meetingView(ctx, who, id);
      const participants = m.acknowledged && m.may.attendance ? await service.expectedParticipants(ctx, who, id) : [];
      return sendPage(reply, h(MeetingPage, { ctx: viewContext(request), m, participants, notice }));
    } catch (e) {
      return failure(request, reply, e);
    }
  }

  app.get("/meetings/:id", { config: { permission: "case.access" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const done = (request.query as Record<string, string> | undefined)?.done;
    const t = viewContext(request).t;
    return renderMeeting(request, reply, p.data.id, done === "attendance" ? t("mtg.att.saved") : done === "minutes" ? t("mtg.min.saved") : undefined);
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
    try {
      await service.recordMeetingAttendance(ctx, whoOf(request), p.data.id, list((request.body as Record<string, unknown> | undefined)?.present));
      return reply.redirect(`/meetings/${p.data.id}?done=attendance`, 303);
    } catch (e) {
      return failure(request, reply, e);
    }
  });

  async function renderMinutes(request: FastifyRequest, reply: FastifyReply, meetingId: string, caseId: string, values: Record<string, string>, errors: Errors, status = 200) {
    const who = whoOf(request);
    try {
      const m = await service.meetingView(ctx, who, meetingId);
      const item = m.agenda.find((a) => a.caseId === caseId);
      if (!item || !m.may.minute) return sendError(request, reply, 404);
      const initial = Object.keys(values).length ? values : { decisions: item.minutes?.decisions ?? "", next_review_on: item.minutes?.nextReviewOn ?? "" };
      return sendPage(reply, h(MinutesPage, { ctx: viewContext(request), meetingId, caseId, label: item.label, organisations: await organisationsFor(m.livcId), values: initial, errors }), status);
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
    const values: Record<string, string> = { decisions: str(body.decisions, 4000), next_review_on: str(body.next_review_on, 10) };
    const t = viewContext(request).t;
    const errors: Errors = {};
    if (values.next_review_on && !isIsoDate(values.next_review_on)) errors.next_review_on = t("case.error.due");
    const actions: service.MinutesInput["actions"] = [];
    for (const n of [1, 2, 3]) {
      const d = str(body[`action${n}_description`], 500);
      const owner = str(body[`action${n}_owner`], 64);
      const due = str(body[`action${n}_due_on`], 10);
      Object.assign(values, { [`action${n}_description`]: d, [`action${n}_owner`]: owner, [`action${n}_due_on`]: due });
      if (!d && !owner && !due) continue;
      if (!owner) errors[`action${n}_owner`] = t("case.error.owner");
      if (!isIsoDate(due)) errors[`action${n}_due_on`] = t("case.error.due");
      actions.push({ description: d || null, ownerOrganisationId: owner, dueOn: due });
    }
    if (Object.keys(errors).length) return renderMinutes(request, reply, p.data.id, p.data.caseId, values, errors, 400);
    try {
      await service.saveCaseMinutes(ctx, whoOf(request), p.data.id, p.data.caseId, { decisions: values.decisions || null, nextReviewOn: values.next_review_on || null, actions });
      return reply.redirect(`/meetings/${p.data.id}?done=minutes`, 303);
    } catch (e) {
      return failure(request, reply, e);
    }
  });
}
