import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import type { MessageKey } from "../../platform/i18n";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { LIMITS, referenceParam } from "./schema";
import { addSupplement, readSupplementForm, type SupplementForm, supplementTarget, withdrawReport } from "./supplement";
import { type FieldError, SupplementPage, WithdrawPage } from "./views/supplement";
import { extend } from "../../platform/objects";

/**
 * The reporter adds to, or withdraws, a report they submitted (decision 0048): /reports/:reference/supplement
 * and /reports/:reference/withdraw, permission report.file; only the own report (the service decides, 404 otherwise).
 * The reference is random (no personal data in the URL); the text goes in the POST body only.
 */
export function supplementRoutes(app: FastifyInstance, ctx: AppContext) {
  const report = { config: { permission: "report.file" as const } };
  const who = (request: FastifyRequest) => extend(whoOf(request), { actor: request.actor! });
  const ref = (request: FastifyRequest) => {
    const p = referenceParam.safeParse(request.params);
    return p.success ? p.data.reference : null;
  };

  const supplementPage = (request: FastifyRequest, reply: FastifyReply, reference: string, form: SupplementForm, errors: FieldError[] = [], status = 200) =>
    sendPage(reply, h(SupplementPage, { ctx: viewContext(request), reference, form, errors }), status);
  const withdrawPage = (request: FastifyRequest, reply: FastifyReply, reference: string, reason: string, errors: FieldError[] = [], status = 200) =>
    sendPage(reply, h(WithdrawPage, { ctx: viewContext(request), reference, reason, errors }), status);

  app.get("/reports/:reference/supplement", report, async (request, reply) => {
    const reference = ref(request);
    const target = reference ? await supplementTarget(ctx, who(request), reference) : null;
    if (!target) return sendError(request, reply, 404);
    if (!target.maySupplement) return reply.redirect(`/reports/${target.reference}`, 303);
    return supplementPage(request, reply, target.reference, { observation: "", signals: [] });
  });

  app.post("/reports/:reference/supplement", report, async (request, reply) => {
    const reference = ref(request);
    if (!reference) return sendError(request, reply, 404);
    const t = viewContext(request).t;
    const form = readSupplementForm(request.body);
    const result = await addSupplement(ctx, who(request), reference, form);
    switch (result.kind) {
      case "ok":
        return reply.redirect(`/reports/${reference}?done=supplement`, 303);
      case "not_found":
        return sendError(request, reply, 404);
      case "closed":
        return supplementPage(request, reply, reference, form, [{ field: "observation", message: t("sup.error.closed") }], 409);
      case "errors":
        return supplementPage(
          request,
          reply,
          reference,
          form,
          result.errors.map((e) => ({ field: e.field, message: t(`sup.error.${e.field}.${e.code}` as MessageKey, { limit: LIMITS.observation }) })),
          400,
        );
    }
  });

  app.get("/reports/:reference/withdraw", report, async (request, reply) => {
    const reference = ref(request);
    const target = reference ? await supplementTarget(ctx, who(request), reference) : null;
    if (!target) return sendError(request, reply, 404);
    if (!target.mayWithdraw) return reply.redirect(`/reports/${target.reference}`, 303);
    return withdrawPage(request, reply, target.reference, "");
  });

  app.post("/reports/:reference/withdraw", report, async (request, reply) => {
    const reference = ref(request);
    if (!reference) return sendError(request, reply, 404);
    const t = viewContext(request).t;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const reason = typeof raw.reason === "string" ? raw.reason.slice(0, 40) : "";
    const result = await withdrawReport(ctx, who(request), reference, reason);
    switch (result.kind) {
      case "ok":
        return reply.redirect(`/reports/${reference}?done=${result.purged ? "withdrawn_purged" : "withdrawn"}`, 303);
      case "not_found":
        return sendError(request, reply, 404);
      case "invalid":
        return withdrawPage(request, reply, reference, "", [{ field: "reason", message: t("sup.withdraw.error.required") }], 400);
      case "closed":
      case "conflict":
        return withdrawPage(request, reply, reference, reason, [{ field: "reason", message: t("sup.withdraw.error.closed") }], 409);
    }
  });
}
