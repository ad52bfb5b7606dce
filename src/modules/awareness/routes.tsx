import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import type { ZodError } from "zod";
import { audit } from "../../platform/audit";
import { type AppContext, bound } from "../../platform/context";
import type { MessageKey } from "../../platform/i18n";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { isSector } from "../identity/sectors";
import { analysisCsv } from "./export";
import { addStandardQuestionnaire } from "./questionnaire";
import { campaignForm, idParam, linkForm, optionRows, questionForm, sessionForm } from "./schema";
import * as service from "./service";
import { AnalysisPage } from "./views/analysis";
import { CampaignFormPage, CampaignListPage, CampaignPage } from "./views/campaigns";
import type { Errors } from "./views/form";
import { LinkFormPage, LinksCreatedPage } from "./views/links";
import { QuestionFormPage } from "./views/question-form";
import { SessionFormPage } from "./views/session-form";
import { extend } from "../../platform/objects";

const manage = { config: { permission: "awareness.manage" as const } };
type Body = Record<string, string | string[] | undefined>;

const FIELD_CODE: Record<string, string> = { held_on: "date", province: "reach" };

/** Zod issues as { field: message }; issue messages are our error codes (schema.ts). */
export function formErrors(request: FastifyRequest, error: ZodError): Errors {
  const t = viewContext(request).t;
  const out: Errors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    if (out[field]) continue;
    const code = /^[a-z_]+$/.test(issue.message) ? issue.message : (FIELD_CODE[field] ?? field);
    out[field] = t(`aw.error.${code}` as MessageKey);
  }
  return out;
}

export const flat = (body: Body): Record<string, string> =>
  Object.fromEntries(Object.entries(body ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]));

/** Loads the campaign named in the URL or answers 404. */
export async function campaignOr404(ctx: AppContext, request: FastifyRequest, reply: FastifyReply) {
  const p = idParam.safeParse(request.params);
  const campaign = p.success ? await service.campaignById(ctx.database.db, p.data.id) : undefined;
  if (!campaign) {
    await sendError(request, reply, 404);
    return null;
  }
  return campaign;
}

export function awarenessRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  app.get("/awareness", manage, async (request, reply) =>
    sendPage(reply, h(CampaignListPage, { ctx: viewContext(request), campaigns: await service.listCampaigns(db) })),
  );

  app.get("/awareness/campaigns/new", manage, async (request, reply) =>
    sendPage(reply, h(CampaignFormPage, { ctx: viewContext(request), values: { year: String(new Date().getFullYear()) }, errors: {} })),
  );

  app.post("/awareness/campaigns/new", manage, async (request, reply) => {
    const body = request.body as Body;
    const parsed = campaignForm.safeParse(body);
    if (!parsed.success) {
      return sendPage(reply, h(CampaignFormPage, { ctx: viewContext(request), values: flat(body), errors: formErrors(request, parsed.error) }), 400);
    }
    // Each change below commits with its audit entry in one transaction, or not at all.
    const id = await db.transaction().execute(async (trx) => {
      const made = await service.createCampaign(trx, parsed.data);
      await audit.record(request, { action: "awareness.campaign.create", resourceType: "awareness_campaign", resourceId: made, outcome: "success" }, { db: trx });
      return made;
    });
    return reply.redirect(`/awareness/campaigns/${id}`, 303);
  });

  app.get("/awareness/campaigns/:id", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const [sessions, questions, counts, { analysis }] = await Promise.all([
      service.listSessions(db, campaign.id),
      service.questionnaire(db, campaign.id),
      service.linkCounts(db, campaign.id),
      service.campaignAnalysis(db, campaign.id),
    ]);
    const sum = (used: boolean) => counts.filter((c) => c.used === used).reduce((s, c) => s + c.n, 0);
    return sendPage(
      reply,
      h(CampaignPage, { ctx: viewContext(request), campaign: extend(campaign, { year: Number(campaign.year) }), sessions, questions, links: { open: sum(false), used: sum(true) }, responses: analysis.responses }),
    );
  });

  // Sessions ---------------------------------------------------------------------------------
  app.get("/awareness/campaigns/:id/sessions/new", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    return sendPage(reply, h(SessionFormPage, { ctx: viewContext(request), campaignId: campaign.id, provinces: await service.provincesOn(db), values: {}, errors: {} }));
  });

  app.post("/awareness/campaigns/:id/sessions/new", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const body = request.body as Body;
    const again = async (errors: Errors) =>
      sendPage(reply, h(SessionFormPage, { ctx: viewContext(request), campaignId: campaign.id, provinces: await service.provincesOn(db), values: body as Record<string, string | string[]>, errors }), 400);
    const parsed = sessionForm.safeParse(body);
    if (!parsed.success) return again(formErrors(request, parsed.error));
    try {
      await db.transaction().execute(async (trx) => {
        await service.addSession(trx, campaign.id, parsed.data);
        await audit.record(request, { action: "awareness.session.add", resourceType: "awareness_campaign", resourceId: campaign.id, outcome: "success" }, { db: trx });
      });
    } catch (e) {
      if (e instanceof service.AwarenessInputError) return again({ [e.field]: viewContext(request).t(`aw.error.${e.code}` as MessageKey, e.params) });
      throw e;
    }
    return reply.redirect(`/awareness/campaigns/${campaign.id}`, 303);
  });

  // Questionnaire ----------------------------------------------------------------------------
  app.get("/awareness/campaigns/:id/questions/new", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    return sendPage(reply, h(QuestionFormPage, { ctx: viewContext(request), campaignId: campaign.id, values: { required: "1" }, errors: {} }));
  });

  app.post("/awareness/campaigns/:id/questions/new", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const body = request.body as Body;
    const parsed = questionForm.safeParse(extend(body, { options: optionRows(body) }));
    if (!parsed.success) {
      return sendPage(reply, h(QuestionFormPage, { ctx: viewContext(request), campaignId: campaign.id, values: flat(body), errors: formErrors(request, parsed.error) }), 400);
    }
    await db.transaction().execute(async (trx) => {
      await service.addQuestion(trx, campaign.id, parsed.data);
      await audit.record(request, { action: "awareness.question.add", resourceType: "awareness_campaign", resourceId: campaign.id, outcome: "success" }, { db: trx });
    });
    return reply.redirect(`/awareness/campaigns/${campaign.id}`, 303);
  });

  app.post("/awareness/campaigns/:id/questions/standard", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    if ((await service.questionnaire(db, campaign.id)).length === 0) {
      // Was written without an audit entry: now the questions and one entry commit together.
      await db.transaction().execute(async (trx) => {
        await addStandardQuestionnaire(trx, campaign.id);
        await audit.record(request, { action: "awareness.question.standard", resourceType: "awareness_campaign", resourceId: campaign.id, outcome: "success" }, { db: trx });
      });
    }
    return reply.redirect(`/awareness/campaigns/${campaign.id}`, 303);
  });

  // Survey links -----------------------------------------------------------------------------
  // The organisation dropdown offers the organisations found by a name search (GET ?org_q=) and the one chosen.
  const linkPage = async (request: FastifyRequest, campaignId: string, values: Record<string, string>, errors: Errors) => {
    const search = String((request.query as Record<string, unknown> | undefined)?.org_q ?? values.org_q ?? "").slice(0, 100);
    const organisations = await service.organisationsForLinks(ctx, search, values.organisation_id || undefined);
    return h(LinkFormPage, { ctx: viewContext(request), campaignId, organisations, search, provinces: await service.provincesOn(db), values, errors });
  };

  app.get("/awareness/campaigns/:id/links/new", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    return sendPage(reply, await linkPage(request, campaign.id, {}, {}));
  });

  app.post("/awareness/campaigns/:id/links/new", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const body = flat(request.body as Body);
    const parsed = linkForm.safeParse(body);
    if (!parsed.success) return sendPage(reply, await linkPage(request, campaign.id, body, formErrors(request, parsed.error)), 400);
    let links: service.NewLink[];
    try {
      const input = parsed.data;
      links = await db.transaction().execute(async (trx) => {
        const made =
          input.kind === "organisation"
            ? [await service.createOrganisationLink(bound(ctx, trx), campaign.id, input.organisation_id, input.province)]
            : await service.createAnonymousLinks(trx, campaign.id, isSector(input.sector) ? input.sector : "other", input.province, input.count);
        await audit.record(request, { action: "awareness.links.create", resourceType: "awareness_campaign", resourceId: campaign.id, outcome: "success" }, { db: trx });
        return made;
      });
    } catch (e) {
      if (e instanceof service.AwarenessInputError) return sendPage(reply, await linkPage(request, campaign.id, body, { [e.field]: viewContext(request).t(`aw.error.${e.code}` as MessageKey) }), 400);
      throw e;
    }
    const origin = ctx.config.SCHAKEL_PUBLIC_URL?.replace(/\/$/, "") ?? `${request.protocol}://${request.host}`;
    // Shown once, never stored: the page must not be cached.
    reply.header("cache-control", "no-store");
    return sendPage(reply, h(LinksCreatedPage, { ctx: viewContext(request), campaignId: campaign.id, links, origin }));
  });

  // Analysis ---------------------------------------------------------------------------------
  const filterOf = (request: FastifyRequest) => {
    const q = request.query as Record<string, string | undefined>;
    return { sector: isSector(q.sector) ? q.sector : undefined, province: q.province ? String(q.province).slice(0, 100) : undefined };
  };

  app.get("/awareness/campaigns/:id/analysis", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const filter = filterOf(request);
    const { analysis } = await service.campaignAnalysis(db, campaign.id, filter);
    return sendPage(reply, h(AnalysisPage, { ctx: viewContext(request), campaign, analysis, provinces: await service.provincesOn(db), filter }));
  });

  app.get("/awareness/campaigns/:id/analysis.csv", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const { analysis } = await service.campaignAnalysis(db, campaign.id, filterOf(request));
    await audit.record(request, { action: "awareness.analysis.export", resourceType: "awareness_campaign", resourceId: campaign.id, outcome: "success" });
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="analyse-${campaign.year}.csv"`)
      .send(analysisCsv(analysis));
  });
}
