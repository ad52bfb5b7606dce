import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, type ViewContext, viewContext } from "../../platform/web/view";
import { canRecordFramework } from "./policy";
import { bodyOf, dateFields, ruleError, sendForm, validate, who } from "./route-helpers";
import { frameworkForm, obstacleCorrectForm, obstacleEndForm, obstacleForm } from "./schema";
import * as registry from "./service";
import type { ObstacleRow } from "./store";
import type { FieldSpec, FormError } from "./views/form";
import { ObstaclesPage } from "./views/obstacles";
import { extend } from "../../platform/objects";

/**
 * Decision 0044. The chair of an LIVC records a new version of its consultation framework (the
 * administrator still can); regional analysts and administrators record, correct and end obstacles.
 * Every change goes through the registry service: one transaction with the revision bump and the
 * audit entry.
 */
export function registryChairRoutes(app: FastifyInstance, appCtx: AppContext) {
  const { database } = appCtx;
  const db = database.db;
  const framework = { config: { permission: "registry.framework" as const } };
  const obstacles = { config: { permission: "registry.obstacles" as const } };

  // --- The consultation framework: a new version, never an overwrite --------------------------------
  const frameworkFields = (ctx: ViewContext): FieldSpec[] => [
    { name: "participants", label: ctx.t("reg.form.participants"), type: "textarea" },
    { name: "purpose", label: ctx.t("reg.form.purpose"), type: "textarea" },
    { name: "working_arrangements", label: ctx.t("reg.form.working_arrangements"), type: "textarea" },
    ...dateFields(ctx, ["adopted_on", "reg.form.adopted_on"]),
  ];

  /** The LIVC of :id when this actor may record its framework; else 404, or 403 with a denied audit entry. */
  async function frameworkLivc(request: FastifyRequest, reply: FastifyReply) {
    const { id } = request.params as { id: string };
    const livc = typeof id === "string" && id.length <= 64 ? await registry.livcById(db, id) : undefined;
    if (!livc) {
      await sendError(request, reply, 404);
      return null;
    }
    if (!canRecordFramework(request.actor, livc)) {
      await audit.record(request, { action: "registry.framework.add", resourceType: "livc_framework", resourceId: null, livcId: livc.id, outcome: "denied" });
      await sendError(request, reply, 403);
      return null;
    }
    return livc;
  }

  const frameworkPage = (reply: FastifyReply, ctx: ViewContext, livc: { id: string; name: string }, values: Record<string, string>, errors: FormError[] = []) =>
    sendForm(reply, ctx, {
      title: ctx.t("reg.framework.title", { name: livc.name }),
      intro: <p>{ctx.t("reg.framework.intro")}</p>,
      action: `/registry/${livc.id}/frameworks/new`,
      cancel: `/registry/${livc.id}`,
      fields: frameworkFields(ctx),
      values,
      errors,
    });

  app.get("/registry/:id/frameworks/new", framework, async (request, reply) => {
    const livc = await frameworkLivc(request, reply);
    if (!livc) return reply;
    // The current version's text as a starting point: a new version usually changes one part.
    const current = (await registry.frameworksOf(db, livc.id)).at(-1);
    const values: Record<string, string> = current ? { participants: current.participants, purpose: current.purpose, working_arrangements: current.working_arrangements } : {};
    return frameworkPage(reply, viewContext(request), livc, values);
  });

  app.post("/registry/:id/frameworks/new", framework, async (request, reply) => {
    const livc = await frameworkLivc(request, reply);
    if (!livc) return reply;
    const ctx = viewContext(request);
    const values = bodyOf(request);
    const v = validate(frameworkForm, values, ctx);
    if ("errors" in v) return frameworkPage(reply, ctx, livc, values, v.errors);
    await registry.addFramework(database, who(request), livc.id, v.data);
    return reply.redirect(`/registry/${livc.id}?saved=1`, 303);
  });

  // --- Obstacles: record, correct, end; the history stays ------------------------------------------
  const reasonField = (ctx: ViewContext): FieldSpec => ({
    name: "reason",
    label: ctx.t("reg.form.reason"),
    type: "radios",
    options: registry.OBSTACLE_REASONS.map((r) => ({ value: r, label: ctx.t(`mon.reason.${r}`) })),
  });
  const noteField = (ctx: ViewContext): FieldSpec => ({ name: "note", label: ctx.t("reg.form.note"), hint: ctx.t("reg.form.note.hint"), maxLength: 500 });
  const obstacleFields = (ctx: ViewContext): FieldSpec[] => [
    { name: "nis", label: ctx.t("reg.form.nis"), hint: ctx.t("reg.form.nis.hint"), maxLength: 5 },
    ...dateFields(ctx, ["recorded_on", "reg.form.recorded_on"]),
    reasonField(ctx),
    noteField(ctx),
  ];
  const listUrl = (nis: string, saved = false) => `/registry/obstacles?nis=${encodeURIComponent(nis)}${saved ? "&saved=1" : ""}`;
  const municipalityName = async (nis: string) => (await registry.registerTimeline(db)).timeline.versionsByNis.get(nis)?.at(-1)?.name ?? null;

  app.get("/registry/obstacles", obstacles, async (request, reply) => {
    const ctx = viewContext(request);
    const q = request.query as Record<string, unknown>;
    const nis = typeof q.nis === "string" ? q.nis.trim().slice(0, 20) : "";
    const saved = q.saved === "1";
    if (nis === "") return sendPage(reply, h(ObstaclesPage, { ctx, nis, municipality: null, rows: [], errors: [], saved: false }));
    const name = /^\d{5}$/.test(nis) ? await municipalityName(nis) : null;
    if (!name) {
      const message = /^\d{5}$/.test(nis) ? ctx.t("reg.error.unknown_nis", { nis }) : ctx.t("reg.error.nis");
      return sendPage(reply, h(ObstaclesPage, { ctx, nis, municipality: null, rows: [], errors: [{ field: "nis", message }], saved: false }), 400);
    }
    const rows = await registry.obstacleHistory(db, nis);
    return sendPage(reply, h(ObstaclesPage, { ctx, nis, municipality: name, rows, errors: [], saved }));
  });

  app.get("/registry/obstacles/new", obstacles, async (request, reply) => {
    const ctx = viewContext(request);
    const nis = String((request.query as Record<string, unknown>).nis ?? "").slice(0, 5);
    return sendForm(reply, ctx, {
      title: ctx.t("reg.obstacle.title"),
      action: "/registry/obstacles",
      cancel: nis ? listUrl(nis) : "/registry/obstacles",
      fields: obstacleFields(ctx),
      values: { nis, recorded_on: todayInBrussels() },
    });
  });

  app.post("/registry/obstacles", obstacles, async (request, reply) => {
    const ctx = viewContext(request);
    const values = bodyOf(request);
    const page = { title: ctx.t("reg.obstacle.title"), action: "/registry/obstacles", cancel: "/registry/obstacles", fields: obstacleFields(ctx), values };
    const v = validate(obstacleForm, values, ctx);
    if ("errors" in v) return sendForm(reply, ctx, extend(page, { errors: v.errors }));
    try {
      await registry.addObstacle(database, who(request), v.data);
      return reply.redirect(listUrl(v.data.nis, true), 303);
    } catch (e) {
      return sendForm(reply, ctx, extend(page, { errors: ruleError(e, ctx, "nis") }));
    }
  });

  // Correct (category and note) and end (a date, or empty to let it apply again): the same shape.
  const changes: {
    path: "correct" | "end";
    title: "reg.obst.correct.title" | "reg.obst.end.title";
    fields: (ctx: ViewContext) => FieldSpec[];
    initial: (o: ObstacleRow) => Record<string, string>;
    save: (o: ObstacleRow, values: Record<string, string>, ctx: ViewContext, request: FastifyRequest) => Promise<FormError[] | null>;
    errorField: string;
  }[] = [
    {
      path: "correct",
      title: "reg.obst.correct.title",
      fields: (ctx) => [reasonField(ctx), noteField(ctx)],
      initial: (o) => ({ reason: o.reason, note: o.note }),
      errorField: "reason",
      async save(o, values, ctx, request) {
        const v = validate(obstacleCorrectForm, values, ctx);
        if ("errors" in v) return v.errors;
        await registry.correctObstacle(database, who(request), o.id, v.data);
        return null;
      },
    },
    {
      path: "end",
      title: "reg.obst.end.title",
      fields: (ctx) => [{ name: "ended_on", label: ctx.t("reg.form.ended_on"), hint: ctx.t("reg.form.ended_on.hint"), type: "date", maxLength: 10 }],
      initial: (o) => ({ ended_on: o.ended_on ?? todayInBrussels() }),
      errorField: "ended_on",
      async save(o, values, ctx, request) {
        const v = validate(obstacleEndForm, values, ctx);
        if ("errors" in v) return v.errors;
        await registry.endObstacle(database, who(request), o.id, v.data.ended_on);
        return null;
      },
    },
  ];
  for (const c of changes) {
    const url = `/registry/obstacles/:oid/${c.path}`;
    const load = async (request: FastifyRequest) => {
      const { oid } = request.params as { oid: string };
      const o = typeof oid === "string" && oid.length <= 64 ? await registry.obstacleById(db, oid) : undefined;
      if (!o) return null;
      const ctx = viewContext(request);
      const title = ctx.t(c.title, { name: (await municipalityName(o.nis)) ?? o.nis, date: ctx.date(o.recorded_on) });
      return { o, ctx, page: { title, action: `/registry/obstacles/${o.id}/${c.path}`, cancel: listUrl(o.nis), fields: c.fields(ctx) } };
    };
    app.get(url, obstacles, async (request, reply) => {
      const l = await load(request);
      if (!l) return sendError(request, reply, 404);
      return sendForm(reply, l.ctx, extend(l.page, { values: c.initial(l.o) }));
    });
    app.post(url, obstacles, async (request, reply) => {
      const l = await load(request);
      if (!l) return sendError(request, reply, 404);
      const values = bodyOf(request);
      let errors: FormError[] | null;
      try {
        errors = await c.save(l.o, values, l.ctx, request);
      } catch (e) {
        errors = ruleError(e, l.ctx, c.errorField);
      }
      if (!errors) return reply.redirect(listUrl(l.o.nis, true), 303);
      return sendForm(reply, l.ctx, extend(l.page, { values, errors }));
    });
  }
}
