import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, type ViewContext, viewContext } from "../../platform/web/view";
import { mailPendingRequests } from "../identity/service";
import { grantOfficerRoles, OFFICERS, officerEmails, resolveOfficerEmails } from "./officers";
import { canManageObstacles, canManageRegistry, canRecordFramework, canViewLivc, visibleLivcs } from "./policy";
import { bodyOf, dateFields, ruleError, validate, who } from "./route-helpers";
import { registryChairRoutes } from "./routes-chair";
import { livcForm, membershipEndForm, membershipForm, mergerForm, statusForm } from "./schema";
import * as registry from "./service";
import type { LivcRow } from "./store";
import { LivcDetailPage } from "./views/detail";
import { type FieldSpec, type FormError, FormPage } from "./views/form";
import { LivcListPage } from "./views/list";
import { MergersPage } from "./views/mergers";
import { extend } from "../../platform/objects";

function livcFields(ctx: ViewContext): FieldSpec[] {
  const { t } = ctx;
  return [
    { name: "code", label: t("reg.form.code"), hint: t("reg.form.code.hint"), maxLength: 40 },
    { name: "name", label: t("reg.form.name") },
    ...dateFields(ctx, ["founded_on", "reg.form.founded_on"]),
    { name: "chair_name", label: t("reg.form.chair_name"), hint: t("reg.form.person.hint") },
    { name: "coordinator_name", label: t("reg.form.coordinator_name") },
    { name: "info_officer_name", label: t("reg.form.info_officer_name") },
    ...OFFICERS.map(({ key }) => ({ name: `${key}_email`, label: t(`reg.form.${key}_email`), hint: t("reg.form.email.hint"), maxLength: 254 })),
  ];
}

export function registryRoutes(app: FastifyInstance, appCtx: AppContext) {
  const { database } = appCtx;
  const db = database.db;
  /**
   * The officers' account links from the form's e-mail fields, or a field error per e-mail that matches
   * no active account or whose account may not get an LIVC role from this administrator (an
   * administrator account, their own: decision 0041).
   */
  const officerLinks = async (data: { chair_email: string; coordinator_email: string; info_officer_email: string }, ctx: ViewContext, request: FastifyRequest) => {
    const r = await resolveOfficerEmails(appCtx, data, request.actor?.userId ?? null);
    if ("ids" in r) return r;
    return { errors: r.refused.map(({ field, code }) => ({ field, message: code === "unknown" ? ctx.t("reg.error.account_unknown") : ctx.t(`id.roles.error.${code}`) })) };
  };
  const read = { config: { permission: "registry.read" as const } };
  const manage = { config: { permission: "registry.manage" as const } };

  /** Loads the LIVC of :id and checks the per-LIVC policy; answers 404/403 itself when it fails. */
  async function livcFor(request: FastifyRequest, reply: FastifyReply): Promise<LivcRow | null> {
    const { id } = request.params as { id: string };
    const livc = typeof id === "string" && id.length <= 64 ? await registry.livcById(db, id) : undefined;
    if (!livc) {
      await sendError(request, reply, 404);
      return null;
    }
    if (!canViewLivc(request.actor, livc)) {
      await sendError(request, reply, 403);
      return null;
    }
    return livc;
  }

  const form = (
    reply: FastifyReply,
    ctx: ViewContext,
    p: { title: string; action: string; cancel: string; fields: FieldSpec[]; values: Record<string, string>; errors?: FormError[] },
  ) => sendPage(reply, h(FormPage, { ctx, ...p, errors: p.errors ?? [] }), p.errors?.length ? 400 : 200);

  app.get("/registry", read, async (request, reply) => {
    const today = todayInBrussels();
    const { timeline } = await registry.registerTimeline(db);
    const members = timeline.coverageOn(today).livcMembers;
    const visible = visibleLivcs(request.actor);
    const rows = (await registry.listLivcs(db))
      .filter((l) => visible === "all" || visible.includes(l.id))
      .map((l) => ({ id: l.id, code: l.code, name: l.name, status: timeline.statusOn(l.id, today), members: members.get(l.id)?.length ?? 0 }));
    return sendPage(reply, h(LivcListPage, { ctx: viewContext(request), rows, canManage: canManageRegistry(request.actor), canManageObstacles: canManageObstacles(request.actor) }));
  });

  app.get("/registry/new", manage, async (request, reply) => {
    const ctx = viewContext(request);
    return form(reply, ctx, { title: ctx.t("reg.new"), action: "/registry", cancel: "/registry", fields: livcFields(ctx), values: {} });
  });

  app.post("/registry", manage, async (request, reply) => {
    const ctx = viewContext(request);
    const values = bodyOf(request);
    const page = { title: ctx.t("reg.new"), action: "/registry", cancel: "/registry", fields: livcFields(ctx), values };
    const v = validate(livcForm, values, ctx);
    if ("errors" in v) return form(reply, ctx, extend(page, { errors: v.errors }));
    const links = await officerLinks(v.data, ctx, request);
    if ("errors" in links) return form(reply, ctx, extend(page, { errors: links.errors }));
    try {
      const { chair_email: _c, coordinator_email: _o, info_officer_email: _i, ...fields } = v.data;
      const id = await registry.createLivc(database, who(request), extend(fields, { ...links.ids }), (trx, livcId) => grantOfficerRoles(appCtx, request, trx, livcId, links.ids));
      // Committed: the people who may decide the officers' role requests are told by mail (decision 0056).
      await mailPendingRequests(appCtx);
      return reply.redirect(`/registry/${id}?saved=1`, 303);
    } catch (e) {
      return form(reply, ctx, extend(page, { errors: ruleError(e, ctx, "code") }));
    }
  });

  app.get("/registry/mergers", read, async (request, reply) => {
    const { timeline } = await registry.registerTimeline(db);
    const name = (id: string | null) => (id ? (timeline.livcs.get(id)?.name ?? null) : null);
    const rows = timeline.mergerCases().map((c) => ({
      nis: c.version.nis,
      name: c.version.name,
      parts: c.parts.map((p) => ({ nis: p.nis, name: p.name, livc: name(p.livcId) })),
      decision: c.decision ? { decision: c.decision.decision, livc: name(c.decision.livc_id) } : null,
    }));
    return sendPage(reply, h(MergersPage, { ctx: viewContext(request), rows, canManage: canManageRegistry(request.actor) }));
  });

  const mergerPage = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, string> | null, errors: FormError[] = []) => {
    const ctx = viewContext(request);
    const { nis } = request.params as { nis: string };
    const { timeline } = await registry.registerTimeline(db);
    const c = timeline.mergerCases().find((x) => x.version.nis === nis);
    if (!c) return sendError(request, reply, 404);
    const livcs = (await registry.listLivcs(db)).map((l) => ({ value: l.id, label: `${l.name} (${l.code})` }));
    const partLivcs = new Set(c.parts.map((p) => p.livcId));
    livcs.sort((a, b) => Number(partLivcs.has(b.value)) - Number(partLivcs.has(a.value)) || a.label.localeCompare(b.label));
    return form(reply, ctx, {
      title: ctx.t("reg.merger.decide.title", { name: c.version.name, nis }),
      action: `/registry/mergers/${nis}`,
      cancel: "/registry/mergers",
      fields: [
        {
          name: "decision",
          label: ctx.t("reg.form.decision"),
          type: "radios",
          options: [
            { value: "livc", label: ctx.t("reg.form.decision.livc") },
            { value: "none", label: ctx.t("reg.form.decision.none") },
          ],
        },
        { name: "livc_id", label: ctx.t("reg.form.livc_id"), type: "select", options: livcs },
        ...dateFields(ctx, ["joined_on", "reg.form.joined_on"]),
        { name: "note", label: ctx.t("reg.form.note"), hint: ctx.t("reg.form.note.hint"), maxLength: 500 },
      ],
      values: values ?? { decision: "livc", joined_on: registry.MERGER_DAY },
      errors,
    });
  };
  app.get("/registry/mergers/:nis", manage, (request, reply) => mergerPage(request, reply, null));
  app.post("/registry/mergers/:nis", manage, async (request, reply) => {
    const ctx = viewContext(request);
    const values = bodyOf(request);
    const v = validate(mergerForm, values, ctx);
    if ("errors" in v) return mergerPage(request, reply, values, v.errors);
    const { nis } = request.params as { nis: string };
    try {
      await registry.recordMergerDecision(database, who(request), nis, {
        decision: v.data.decision,
        livcId: v.data.livc_id || null,
        joinedOn: v.data.joined_on,
        note: v.data.note,
      });
      return reply.redirect("/registry/mergers", 303);
    } catch (e) {
      return mergerPage(request, reply, values, ruleError(e, ctx, "livc_id"));
    }
  });

  // Obstacles (analysts and administrators) and the chair's framework versions: routes-chair.tsx.
  registryChairRoutes(app, appCtx);

  app.get("/registry/:id", read, async (request, reply) => {
    const livc = await livcFor(request, reply);
    if (!livc) return reply;
    const detail = (await registry.livcDetail(db, livc.id, todayInBrussels()))!;
    const saved = (request.query as Record<string, unknown>).saved === "1";
    return sendPage(
      reply,
      h(LivcDetailPage, { ctx: viewContext(request), detail, canManage: canManageRegistry(request.actor), canRecordFramework: canRecordFramework(request.actor, livc), saved }),
    );
  });

  // The forms of one LIVC: each a GET (empty or current values) and a POST (validate, save, redirect).
  type LivcForm = {
    path: string;
    title: (ctx: ViewContext, livc: LivcRow, request: FastifyRequest) => Promise<string | null> | string | null;
    fields: (ctx: ViewContext) => FieldSpec[];
    initial: (livc: LivcRow, request: FastifyRequest) => Promise<Record<string, string>> | Record<string, string>;
    save: (livc: LivcRow, values: Record<string, string>, ctx: ViewContext, request: FastifyRequest) => Promise<FormError[] | null>;
    errorField: string;
  };
  const livcForms: LivcForm[] = [
    {
      path: "/edit",
      title: (ctx) => ctx.t("reg.edit.title"),
      fields: livcFields,
      initial: async (l) => extend(await officerEmails(appCtx, l), {
        code: l.code,
        name: l.name,
        founded_on: l.founded_on ?? "",
        chair_name: l.chair_name ?? "",
        coordinator_name: l.coordinator_name ?? "",
        info_officer_name: l.info_officer_name ?? "",
      }),
      errorField: "code",
      async save(l, values, ctx, request) {
        const v = validate(livcForm, values, ctx);
        if ("errors" in v) return v.errors;
        const links = await officerLinks(v.data, ctx, request);
        if ("errors" in links) return links.errors;
        const { chair_email: _c, coordinator_email: _o, info_officer_email: _i, ...fields } = v.data;
        await registry.updateLivc(database, who(request), l.id, extend(fields, { ...links.ids }), (trx, livcId) => grantOfficerRoles(appCtx, request, trx, livcId, links.ids));
        await mailPendingRequests(appCtx);
        return null;
      },
    },
    {
      path: "/memberships/new",
      title: (ctx, l) => ctx.t("reg.membership.title", { name: l.name }),
      fields: (ctx) => [
        { name: "nis", label: ctx.t("reg.form.nis"), hint: ctx.t("reg.form.nis.hint"), maxLength: 5 },
        ...dateFields(ctx, ["joined_on", "reg.form.joined_on"]),
        { name: "left_on", label: ctx.t("reg.form.left_on"), hint: ctx.t("reg.form.left_on.hint"), type: "date", maxLength: 10 },
      ],
      initial: () => ({}),
      errorField: "nis",
      async save(l, values, ctx, request) {
        const v = validate(membershipForm, values, ctx);
        if ("errors" in v) return v.errors;
        await registry.addMembership(database, who(request), l.id, v.data);
        return null;
      },
    },
    {
      path: "/memberships/:mid/end",
      async title(ctx, l, request) {
        const m = await registry.membershipById(db, (request.params as { mid: string }).mid);
        if (!m || m.livc_id !== l.id) return null;
        const { timeline } = await registry.registerTimeline(db);
        return ctx.t("reg.membership.end.title", { municipality: timeline.versionsByNis.get(m.nis)?.at(-1)?.name ?? m.nis, name: l.name });
      },
      fields: (ctx) => [{ name: "left_on", label: ctx.t("reg.form.left_on"), hint: ctx.t("reg.form.left_on.hint"), type: "date", maxLength: 10 }],
      initial: async (_l, request) => ({ left_on: (await registry.membershipById(db, (request.params as { mid: string }).mid))?.left_on ?? "" }),
      errorField: "left_on",
      async save(_l, values, ctx, request) {
        const v = validate(membershipEndForm, values, ctx);
        if ("errors" in v) return v.errors;
        await registry.setMembershipEnd(database, who(request), (request.params as { mid: string }).mid, v.data.left_on);
        return null;
      },
    },
    {
      path: "/status/new",
      title: (ctx, l) => ctx.t("reg.status.title", { name: l.name }),
      fields: (ctx) => [
        {
          name: "status",
          label: ctx.t("reg.form.status"),
          type: "radios",
          options: registry.LIFE_STATUSES.map((s) => ({ value: s, label: ctx.t(`reg.status.${s}`) })),
        },
        ...dateFields(ctx, ["from_on", "reg.form.from_on"]),
        { name: "note", label: ctx.t("reg.form.note"), maxLength: 500 },
      ],
      initial: () => ({ from_on: todayInBrussels() }),
      errorField: "status",
      async save(l, values, ctx, request) {
        const v = validate(statusForm, values, ctx);
        if ("errors" in v) return v.errors;
        await registry.setStatus(database, who(request), l.id, v.data.status, v.data.from_on, v.data.note || null);
        return null;
      },
    },
  ];

  for (const f of livcForms) {
    const url = `/registry/:id${f.path}`;
    const action = (request: FastifyRequest) => request.url.split("?")[0];
    app.get(url, manage, async (request, reply) => {
      const livc = await livcFor(request, reply);
      if (!livc) return reply;
      const ctx = viewContext(request);
      const title = await f.title(ctx, livc, request);
      if (title === null) return sendError(request, reply, 404);
      return form(reply, ctx, { title, action: action(request), cancel: `/registry/${livc.id}`, fields: f.fields(ctx), values: await f.initial(livc, request) });
    });
    app.post(url, manage, async (request, reply) => {
      const livc = await livcFor(request, reply);
      if (!livc) return reply;
      const ctx = viewContext(request);
      const title = await f.title(ctx, livc, request);
      if (title === null) return sendError(request, reply, 404);
      const values = bodyOf(request);
      let errors: FormError[] | null;
      try {
        errors = await f.save(livc, values, ctx, request);
      } catch (e) {
        errors = ruleError(e, ctx, f.errorField);
      }
      if (!errors) return reply.redirect(`/registry/${livc.id}?saved=1`, 303);
      return form(reply, ctx, { title, action: action(request), cancel: `/registry/${livc.id}`, fields: f.fields(ctx), values, errors });
    });
  }
}
