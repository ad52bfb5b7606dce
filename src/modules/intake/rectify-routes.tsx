import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { identityBody, RectifyInvalid } from "../cases/service";
// The one identity-correction form, shared with the cases module (as meetings shares its fields).
import { IdentityEditPage, type IdentityValues, identityErrorMessages } from "../cases/views/rectify";
import { rectifyReportIdentity, ReportRectifyError, reportIdentityForEdit } from "./rectify";
import { extend } from "../../platform/objects";

const idParam = z.object({ id: z.string().uuid() });

/**
 * Rectification of the person a report names (/screening/:id/identity). Route gate "authenticated":
 * whoever may screen the report and the DPO may use it (no single route permission says that);
 * intake's rule (rectify.ts) decides and audits every refusal (decision 0046).
 */
export function reportRectifyRoutes(app: FastifyInstance, ctx: AppContext) {
  const failure = (request: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (e instanceof ReportRectifyError) return sendError(request, reply, e.code === "forbidden" ? 403 : e.code === "not_found" ? 404 : 400);
    throw e;
  };

  const renderForm = async (request: FastifyRequest, reply: FastifyReply, id: string, form?: { values: IdentityValues; errors: Record<string, string> }) => {
    const t = viewContext(request).t;
    const current = await reportIdentityForEdit(ctx, extend(whoOf(request), { actor: request.actor! }), id);
    // The case's box is checked on a first view; after a refusal it keeps what was sent (decision 0050).
    const values = form?.values ?? { full_name: current.fullName, date_of_birth: current.dateOfBirth, reason: "", also_linked: "yes" };
    const c = current.linkedCase;
    const linked = c
      ? {
          heading: t("rect.linked.report.heading"),
          from: t("rect.linked.report.from", { label: c.label }),
          offer: c.state === "ok" ? t("rect.linked.report.also", { label: c.label }) : null,
          notes: c.state === "not_allowed" ? [t("rect.linked.report.not_allowed")] : c.state === "nothing" ? [t("rect.linked.report.nothing")] : [],
        }
      : null;
    const back = request.actor?.isDpo ? { href: "/rectify", label: t("rect.back_search") } : { href: `/screening/${id}`, label: t("rect.back_report", { reference: current.reference }) };
    return sendPage(
      reply,
      h(IdentityEditPage, {
        ctx: viewContext(request),
        title: t("rect.report.title", { reference: current.reference }),
        intro: t("rect.report.intro"),
        action: `/screening/${id}/identity`,
        back,
        values,
        errors: form?.errors ?? {},
        birthDateRequired: true,
        linked,
      }),
      form ? 400 : 200,
    );
  };

  app.get("/screening/:id/identity", { config: { permission: "authenticated" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    try {
      return await renderForm(request, reply, p.data.id);
    } catch (e) {
      return failure(request, reply, e);
    }
  });

  app.post("/screening/:id/identity", { config: { permission: "authenticated" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const b = identityBody.safeParse(request.body ?? {});
    const values = b.success ? b.data : { full_name: "", date_of_birth: "", reason: "", also_linked: "" };
    const who = extend(whoOf(request), { actor: request.actor! });
    try {
      const input = { fullName: values.full_name, dateOfBirth: values.date_of_birth, reason: values.reason };
      await rectifyReportIdentity(ctx, who, p.data.id, input, { alsoCase: values.also_linked === "yes" });
      return reply.redirect(request.actor?.isDpo ? "/rectify?done=1" : `/screening/${p.data.id}`, 303);
    } catch (e) {
      if (e instanceof RectifyInvalid) {
        try {
          return await renderForm(request, reply, p.data.id, { values, errors: identityErrorMessages(viewContext(request).t, e.errors) });
        } catch (again) {
          return failure(request, reply, again);
        }
      }
      return failure(request, reply, e);
    }
  });
}
