import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import type { AppContext } from "../../platform/context";
import type { Actor } from "../../platform/policy/actor";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { handOverReport } from "./handover";
import { idParam } from "./schema";
import { openForScreening } from "./screening";
import { type HandoverFormState, ScreeningPage } from "./views/screening";
import { extend } from "../../platform/objects";

const who = (request: FastifyRequest) => ({ actor: request.actor as Actor, clientAddress: request.ip, correlationId: String(request.id) });

/**
 * POST /screening/:id/handover and /screening/regional/:id/handover (decision 0062): the report's
 * screeners hand an undecided report to another LIVC. A refused form re-renders the screening page
 * with the choices kept and the error linked; done, the sender goes back to the queue (the report is
 * no longer theirs to open).
 */
export function handoverRoutes(app: FastifyInstance, ctx: AppContext) {
  for (const [base, permission] of [
    ["/screening", "intake.screen"],
    ["/screening/regional", "intake.regional"],
  ] as const) {
    const page = async (request: FastifyRequest, reply: FastifyReply, id: string, handover: HandoverFormState, status: number) => {
      const view = await openForScreening(ctx, who(request), id);
      if (view.kind !== "ok") return sendError(request, reply, view.kind === "not_found" ? 404 : 403);
      return sendPage(reply, h(ScreeningPage, { ctx: viewContext(request), view, base, form: { transition: "", reason: "", referral_service: "", case_id: "" }, handover }), status);
    };
    app.post(`${base}/:id/handover`, { config: { permission } }, async (request, reply) => {
      const p = idParam.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      const raw = (request.body ?? {}) as Record<string, unknown>;
      const typed = { to_livc: String(raw.to_livc ?? "").slice(0, 40), reason: String(raw.reason ?? "").slice(0, 40) };
      const { t } = viewContext(request);
      const result = await handOverReport(ctx, who(request), p.data.id, { toLivcId: typed.to_livc, reason: typed.reason });
      switch (result.kind) {
        case "ok":
          // Back to the queue (the report is the other LIVC's now), with a notice naming that LIVC.
          return reply.redirect(`${base}?passed_to=${encodeURIComponent(typed.to_livc)}`, 303);
        case "not_found":
          return sendError(request, reply, 404);
        case "forbidden":
          return sendError(request, reply, 403);
        case "refused":
          return page(request, reply, p.data.id, extend(typed, { error: { field: "to_livc", message: t("scase.handover.error.status") } }), 409);
        case "conflict":
          return page(request, reply, p.data.id, extend(typed, { error: { field: "to_livc", message: t("intake.decision.conflict") } }), 409);
        case "invalid":
          if (result.field === "reason") return page(request, reply, p.data.id, extend(typed, { error: { field: "handover_reason", message: t("scase.handover.error.reason") } }), 400);
          return page(request, reply, p.data.id, extend(typed, { error: { field: "to_livc", message: t(result.code === "same_livc" ? "scase.handover.error.same_livc" : "scase.handover.error.livc") } }), 400);
      }
    });
  }
}
