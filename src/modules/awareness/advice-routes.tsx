import fs from "node:fs";
import type { FastifyInstance } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { shortId, todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { adviceFileName, jobArchive, jobById, startAdviceJob } from "./archive";
import { advicePdf } from "./pdf";
import { campaignOr404 } from "./routes";
import { sentForm } from "./schema";
import * as service from "./service";
import { AdviceListPage, AdvicePage, JobPage, JobStatus, LivcAdvicePage } from "./views/advice";
import { renderToString } from "preact-render-to-string";
import { extend } from "../../platform/objects";

const manage = { config: { permission: "awareness.manage" as const } };
const nisParam = z.object({ nis: z.string().regex(/^\d{5}$/) });
const jobParam = z.object({ job: z.string().uuid() });

export function adviceRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  app.get("/awareness/campaigns/:id/advice", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const date = todayInBrussels();
    const [advice, sent] = await Promise.all([service.campaignAdvice(ctx, campaign.id, date), service.adviceSent(db, campaign.id)]);
    return sendPage(reply, h(AdviceListPage, { ctx: viewContext(request), campaign, advice, sent, date }));
  });

  app.get("/awareness/campaigns/:id/advice/livc/:livc", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const p = z.object({ livc: z.string().min(1).max(100) }).safeParse(request.params);
    const advice = p.success ? await service.livcAdvice(ctx, campaign.id, p.data.livc) : null;
    if (!advice) return sendError(request, reply, 404);
    return sendPage(reply, h(LivcAdvicePage, { ctx: viewContext(request), campaign, advice }));
  });

  const loadAdvice = async (campaignId: string, params: unknown) => {
    const p = nisParam.safeParse(params);
    return p.success ? service.municipalityAdvice(ctx, campaignId, p.data.nis) : null;
  };

  app.get("/awareness/campaigns/:id/advice/:nis", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const found = await loadAdvice(campaign.id, request.params);
    if (!found) return sendError(request, reply, 404);
    const sent = await service.adviceSent(db, campaign.id);
    return sendPage(
      reply,
      h(AdvicePage, { ctx: viewContext(request), campaign, advice: found.advice, of: found.of, sentOn: sent.get(found.advice.government.nis) ?? null, today: todayInBrussels() }),
    );
  });

  app.get("/awareness/campaigns/:id/advice/:nis/pdf", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const found = await loadAdvice(campaign.id, request.params);
    if (!found) return sendError(request, reply, 404);
    const pdf = await advicePdf({ advice: found.advice, of: found.of, campaignName: campaign.name, date: todayInBrussels(), locale: request.locale });
    await audit.record(request, { action: "awareness.advice.pdf", resourceType: "municipality", resourceId: found.advice.government.nis, outcome: "success" });
    const g = found.advice.government;
    return reply
      .type("application/pdf")
      .header("content-disposition", `attachment; filename="${adviceFileName(found.advice.position, g.nis, g.name)}"`)
      .send(pdf);
  });

  app.post("/awareness/campaigns/:id/advice/:nis/sent", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const found = await loadAdvice(campaign.id, request.params);
    if (!found) return sendError(request, reply, 404);
    const parsed = sentForm.safeParse(request.body);
    const view = viewContext(request);
    if (!parsed.success) {
      const sent = await service.adviceSent(db, campaign.id);
      return sendPage(
        reply,
        h(AdvicePage, { ctx: view, campaign, advice: found.advice, of: found.of, sentOn: sent.get(found.advice.government.nis) ?? null, today: String((request.body as Record<string, unknown>)?.sent_on ?? ""), error: view.t("aw.error.date") }),
        400,
      );
    }
    await db.transaction().execute(async (trx) => {
      await service.markAdviceSent(trx, campaign.id, found.advice.government.nis, parsed.data.sent_on, request.actor?.userId ?? null);
      await audit.record(request, { action: "awareness.advice.sent", resourceType: "municipality", resourceId: found.advice.government.nis, outcome: "success" }, { db: trx });
    });
    return reply.redirect(`/awareness/campaigns/${campaign.id}/advice/${found.advice.government.nis}`, 303);
  });

  app.post("/awareness/campaigns/:id/advice/jobs", manage, async (request, reply) => {
    const campaign = await campaignOr404(ctx, request, reply);
    if (!campaign) return reply;
    const jobId = await startAdviceJob(ctx, campaign.id, request.actor?.userId ?? null, request.locale, undefined, (trx, id) =>
      audit.record(request, { action: "awareness.advice.archive", resourceType: "awareness_job", resourceId: id, outcome: "success" }, { db: trx }),
    );
    return reply.redirect(`/awareness/jobs/${jobId}`, 303);
  });

  const loadJob = async (params: unknown) => {
    const p = jobParam.safeParse(params);
    const job = p.success ? await jobById(ctx, p.data.job) : undefined;
    if (!job) return undefined;
    // Stored in the database (decision 0069); rows from before it pointed at a file on this instance's disk.
    const available = job.status === "done" && (job.archive_bytes !== null || (job.file_path !== null && fs.existsSync(job.file_path)));
    return extend(job, { available });
  };

  app.get("/awareness/jobs/:job", manage, async (request, reply) => {
    const job = await loadJob(request.params);
    if (!job) return sendError(request, reply, 404);
    return sendPage(reply, h(JobPage, { ctx: viewContext(request), job }));
  });

  // The fragment htmx polls; without JavaScript the page's refresh link reloads the whole page.
  app.get("/awareness/jobs/:job/status", manage, async (request, reply) => {
    const job = await loadJob(request.params);
    if (!job) return sendError(request, reply, 404);
    return reply.type("text/html; charset=utf-8").send(renderToString(h(JobStatus, { ctx: viewContext(request), job })));
  });

  app.get("/awareness/jobs/:job/download", manage, async (request, reply) => {
    const job = await loadJob(request.params);
    if (!job?.available) return sendError(request, reply, 404);
    const zip = job.archive_bytes !== null ? await jobArchive(ctx, job.id) : null;
    if (job.archive_bytes !== null && !zip) return sendError(request, reply, 404); // dropped meanwhile
    await audit.record(request, { action: "awareness.advice.download", resourceType: "awareness_job", resourceId: job.id, outcome: "success" });
    return reply
      .type("application/zip")
      .header("content-disposition", `attachment; filename="advies-${shortId(job.id)}.zip"`)
      .send(zip ?? fs.createReadStream(job.file_path!));
  });
}
