import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { addClosingDay, type ClosingDayError, closingDayLivcs, closingDaysView, DESCRIPTION_MAX, removeClosingDay } from "./closing-days";
import { k } from "./views/common";
import { type ClosingDayFormState, ClosingDaysIndexPage, ClosingDaysPage, emptyClosingDayForm } from "./views/closing-days";
import { extend } from "../../platform/objects";

const livcParam = z.object({ livcId: z.string().uuid() });
const dayParam = z.object({ livcId: z.string().uuid(), id: z.string().uuid() });
const DONE = { added: "cd.done.added", removed: "cd.done.removed" } as const;

/**
 * The closing days of an LIVC (permission intake.closing_days: chair or coordinator of some LIVC,
 * administrators; which LIVC: policy.ts mayManageClosingDays via closing-days.ts). Plain forms: POST,
 * then a redirect; a refused form is shown again with what was typed and an error summary.
 */
export function closingDayRoutes(app: FastifyInstance, ctx: AppContext) {
  const cfg = { config: { permission: "intake.closing_days" as const } };
  const who = (request: FastifyRequest) => extend(whoOf(request), { actor: request.actor as Actor });

  const messageOf = (request: FastifyRequest, e: ClosingDayError) => {
    const t = viewContext(request).t;
    return { field: e.field, message: e.field === "description" ? t("cd.error.description_too_long", { max: DESCRIPTION_MAX }) : t(k(`cd.error.${e.code}`)) };
  };

  async function render(request: FastifyRequest, reply: FastifyReply, livcId: string, form: ClosingDayFormState, status = 200) {
    const view = await closingDaysView(ctx, who(request), livcId, todayInBrussels());
    if (view.kind !== "ok") return sendError(request, reply, view.kind === "not_found" ? 404 : 403);
    const done = (request.query as Record<string, string | undefined>).done;
    const notice = status === 200 && done && done in DONE ? viewContext(request).t(DONE[done as keyof typeof DONE]) : undefined;
    return sendPage(reply, h(ClosingDaysPage, { ctx: viewContext(request), view, form, notice }), status);
  }

  app.get("/closing-days", cfg, async (request, reply) => {
    const actor = request.actor!;
    const livcs = await closingDayLivcs(ctx, actor);
    if (livcs.length === 1 && !actor.isAdmin) return reply.redirect(`/closing-days/${livcs[0].id}`, 303);
    return sendPage(reply, h(ClosingDaysIndexPage, { ctx: viewContext(request), livcs }));
  });

  app.get("/closing-days/:livcId", cfg, async (request, reply) => {
    const p = livcParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    return render(request, reply, p.data.livcId, emptyClosingDayForm());
  });

  app.post("/closing-days/:livcId", cfg, async (request, reply) => {
    const p = livcParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const typed = (field: string, max: number) => (typeof raw[field] === "string" ? (raw[field] as string).slice(0, max) : "");
    const values = { day: typed("day", 40), description: typed("description", 400) };
    const result = await addClosingDay(ctx, who(request), p.data.livcId, values);
    if (result.kind === "not_found" || result.kind === "forbidden") return sendError(request, reply, result.kind === "not_found" ? 404 : 403);
    if (result.kind === "invalid") return render(request, reply, p.data.livcId, { values, errors: result.errors.map((e) => messageOf(request, e)) }, 400);
    return reply.redirect(`/closing-days/${p.data.livcId}?done=added`, 303);
  });

  app.post("/closing-days/:livcId/:id/remove", cfg, async (request, reply) => {
    const p = dayParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const result = await removeClosingDay(ctx, who(request), p.data.livcId, p.data.id);
    if (result.kind !== "ok") return sendError(request, reply, result.kind === "not_found" ? 404 : 403);
    return reply.redirect(`/closing-days/${p.data.livcId}?done=removed`, 303);
  });
}
