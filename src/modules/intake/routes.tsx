import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { AppContext } from "../../platform/context";
import type { Actor } from "../../platform/policy/actor";
import { sendError, wantsJson } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { livcById } from "../registry/service";
import { mayManageClosingDays } from "./policy";
import { intakeRetentionConfig } from "./retention-config";
import { decisionBody, emptyForm, idParam, LIMITS, queueQuery, readForm, referenceParam } from "./schema";
import {
  alertsFor, decide, fileReport, livcQueue, municipalityChoices, myReports, openForScreening, ownDraft, receivedView, regionalOpenCount, regionalQueueFor, reporterView,
} from "./service";
import { joinRefusedMessage } from "./case-link";
import { k } from "./views/common";
import { REPORTER_STATUSES } from "./workflow";
import { ReportFormPage } from "./views/form";
import { QueuePage } from "./views/queue";
import { MyReportsPage, ReceivedPage, StatusPage } from "./views/reporter";
import { type DecisionFormState, ScreeningPage } from "./views/screening";
import { extend } from "../../platform/objects";

const who = (request: FastifyRequest) => ({ actor: request.actor as Actor, clientAddress: request.ip, correlationId: String(request.id) });

/**
 * HTTP only: reporters file and follow their reports (/reports, permission report.file);
 * screeners work the queue of their LIVC (/screening, intake.screen); regional contact points the
 * queue without an LIVC (/screening/regional, intake.regional). Which record: policy.ts via the service.
 */
export function intakeRoutes(app: FastifyInstance, ctx: AppContext) {
  const report = { config: { permission: "report.file" as const } };

  app.get("/reports", report, async (request, reply) =>
    sendPage(reply, h(MyReportsPage, { ctx: viewContext(request), reports: await myReports(ctx, request.actor!), discarded: (request.query as { done?: string }).done === "discarded" })),
  );

  const formPage = async (request: FastifyRequest, reply: FastifyReply, form = emptyForm(), errors: Parameters<typeof ReportFormPage>[0]["errors"] = [], reference?: string, status = 200) =>
    sendPage(
      reply,
      h(ReportFormPage, {
        ctx: viewContext(request),
        form,
        errors,
        municipalities: await municipalityChoices(ctx),
        reference,
        savedDraft: (request.query as { saved?: string }).saved === "1",
        draftDays: intakeRetentionConfig().draftDays,
      }),
      status,
    );

  app.get("/reports/new", report, async (request, reply) => formPage(request, reply));

  const handleFile = async (request: FastifyRequest, reply: FastifyReply, reference?: string) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const mode = body.action === "draft" ? "draft" : "submit";
    const form = readForm(body);
    const result = await fileReport(ctx, who(request), form, mode, reference);
    const json = wantsJson(request);
    if (result.kind === "not_found") return sendError(request, reply, 404);
    if (result.kind === "errors") {
      if (json) return reply.code(400).send({ error: "invalid", fields: result.errors });
      return formPage(request, reply, form, result.errors, reference, 400);
    }
    if (result.kind === "draft") {
      if (json) return reply.code(201).send({ reference: result.reference, status: "draft" });
      return reply.redirect(`/reports/${result.reference}/edit?saved=1`, 303);
    }
    if (json) return reply.code(201).send({ reference: result.reference, status: "received", routed_to: result.routing.kind, danger_now: result.dangerNow });
    return reply.redirect(`/reports/${result.reference}/received`, 303);
  };

  app.post("/reports", report, async (request, reply) => handleFile(request, reply));

  app.get("/reports/:reference/edit", report, async (request, reply) => {
    const p = referenceParam.safeParse(request.params);
    const form = p.success ? await ownDraft(ctx, who(request), p.data.reference) : null;
    if (!form || !p.success) return sendError(request, reply, 404);
    return formPage(request, reply, form, [], p.data.reference);
  });

  app.post("/reports/:reference", report, async (request, reply) => {
    const p = referenceParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    return handleFile(request, reply, p.data.reference);
  });

  app.get("/reports/:reference/received", report, async (request, reply) => {
    const p = referenceParam.safeParse(request.params);
    const view = p.success ? await receivedView(ctx, request.actor!, p.data.reference) : null;
    if (!view) return sendError(request, reply, 404);
    return sendPage(reply, h(ReceivedPage, { ctx: viewContext(request), ...view }));
  });

  app.get("/reports/:reference", report, async (request, reply) => {
    const p = referenceParam.safeParse(request.params);
    const view = p.success ? await reporterView(ctx, who(request), p.data.reference) : null;
    if (!view) return sendError(request, reply, 404);
    const done = String((request.query as { done?: string }).done ?? "");
    return sendPage(reply, h(StatusPage, { ctx: viewContext(request), view, done }));
  });

  app.get(
    "/api/v1/reports/:reference/status",
    extend(report, {
      schema: {
        tags: ["intake"],
        summary: "The status of a report you filed (only the status word)",
        params: { type: "object", properties: { reference: { type: "string" } } },
        response: { 200: z.toJSONSchema(z.object({ reference: z.string(), status: z.enum(REPORTER_STATUSES), submitted_at: z.string() })) },
      },
    }),
    async (request, reply) => {
      const p = referenceParam.safeParse(request.params);
      const view = p.success ? await reporterView(ctx, who(request), p.data.reference) : null;
      if (!view) return sendError(request, reply, 404);
      return { reference: view.reference, status: view.status, submitted_at: view.submittedAt };
    },
  );

  // Screening: the LIVC queue and the regional queue share the pages; the permission differs.
  for (const [base, permission] of [
    ["/screening", "intake.screen"],
    ["/screening/regional", "intake.regional"],
  ] as const) {
    const regionalOnly = base === "/screening/regional";
    app.get(base, { config: { permission } }, async (request, reply) => {
      const actor = request.actor!;
      const q = queueQuery.parse(request.query ?? {});
      const paging = { filter: q.status, page: q.page };
      const alerts = await alertsFor(ctx, actor);
      // The handover's confirmation (decision 0062): an LIVC's name is public register data.
      const passedTo = q.passed_to ? ((await livcById(ctx.database.db, q.passed_to))?.name ?? undefined) : undefined;
      if (regionalOnly) {
        const regional = await regionalQueueFor(ctx, actor, paging);
        if (!regional) return sendError(request, reply, 403);
        return sendPage(reply, h(QueuePage, { ctx: viewContext(request), livc: null, regional: regional.list, regionalOpen: null, alerts, regionalOnly, passedTo }));
      }
      const livc = await livcQueue(ctx, actor, extend(paging, { livc: q.livc }));
      if (livc === "not_found") return sendError(request, reply, 404);
      const closingDaysHref = livc && mayManageClosingDays(actor, livc.livcId) ? `/closing-days/${livc.livcId}` : undefined;
      return sendPage(reply, h(QueuePage, { ctx: viewContext(request), livc, regional: null, regionalOpen: await regionalOpenCount(ctx, actor), alerts, closingDaysHref, passedTo }));
    });

    const screeningPage = async (request: FastifyRequest, reply: FastifyReply, id: string, form: DecisionFormState, status = 200) => {
      const view = await openForScreening(ctx, who(request), id);
      if (view.kind === "not_found" || view.kind === "forbidden") return sendError(request, reply, view.kind === "not_found" ? 404 : 403);
      return sendPage(reply, h(ScreeningPage, { ctx: viewContext(request), view, base, form }), status);
    };

    app.get(`${base}/:id`, { config: { permission } }, async (request, reply) => {
      const p = idParam.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      const done = (request.query as { done?: string }).done === "1";
      return screeningPage(request, reply, p.data.id, { transition: "", reason: "", referral_service: "", case_id: "", notice: done ? viewContext(request).t("intake.decision.done") : undefined });
    });

    app.post(`${base}/:id/decision`, { config: { permission } }, async (request, reply) => {
      const p = idParam.safeParse(request.params);
      if (!p.success) return sendError(request, reply, 404);
      const raw = (request.body ?? {}) as Record<string, unknown>;
      const t = viewContext(request).t;
      const typed = { transition: String(raw.transition ?? "").slice(0, 40), reason: String(raw.reason ?? ""), referral_service: String(raw.referral_service ?? "").slice(0, 40), case_id: String(raw.case_id ?? "").slice(0, 40) };
      const body = decisionBody.safeParse(raw);
      if (!body.success) {
        const field = body.error.issues[0]?.path[0] === "reason" ? "reason" : body.error.issues[0]?.path[0] === "referral_service" ? "referral_service" : "transition";
        const message = field === "reason" ? t("intake.error.too_long", { label: t("intake.decision.reason"), limit: LIMITS.reason }) : t("intake.error.required", { label: t(field === "transition" ? "intake.decision.transition" : "intake.decision.referral_service") });
        return screeningPage(request, reply, p.data.id, extend(typed, { error: { field, message } }), 400);
      }
      const result = await decide(ctx, who(request), p.data.id, { transition: body.data.transition, reason: body.data.reason, referralService: body.data.referral_service, caseId: body.data.case_id });
      switch (result.kind) {
        case "ok":
          return reply.redirect(`${base}/${p.data.id}?done=1`, 303);
        case "not_found":
          return sendError(request, reply, 404);
        case "forbidden":
          return sendError(request, reply, 403);
        case "refused":
          return screeningPage(request, reply, p.data.id, extend(typed, { error: { field: "transition", message: t("intake.decision.refused") } }), 409);
        case "conflict":
          return screeningPage(request, reply, p.data.id, extend(typed, { error: { field: "transition", message: t("intake.decision.conflict") } }), 409);
        case "not_joinable":
          return screeningPage(request, reply, p.data.id, extend(typed, { error: { field: "case_id", message: t(joinRefusedMessage(result.reason)) } }), 409);
        case "invalid": {
          if (result.field === "case_id") return screeningPage(request, reply, p.data.id, extend(typed, { error: { field: "case_id", message: t("scase.join.choose_error") } }), 400);
          const label = t(result.field === "reason" ? "intake.decision.reason" : "intake.decision.referral_service");
          const message = t(k(`intake.error.${result.code}`), { label, limit: LIMITS.reason });
          return screeningPage(request, reply, p.data.id, extend(typed, { error: { field: result.field, message } }), 400);
        }
      }
    });
  }
}
