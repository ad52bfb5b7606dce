import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isIsoDate } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import * as service from "./service";
import { CaseError, CASE_STATUSES } from "./service";

const statusList = z.string().optional().transform((s) => (s ? s.split(",").filter((x) => (CASE_STATUSES as readonly string[]).includes(x)) : undefined));

/** JSON API: the same service calls (and so the same need-to-know filter) as the pages. */
export function casesApiRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(
    "/api/v1/cases",
    {
      config: { permission: "case.access" },
      schema: {
        tags: ["cases"],
        summary: "Cases you need to know",
        description:
          "Only cases of LIVCs where you are chair, coordinator or information officer, and cases you were granted as an invited partner. Label search with q. Newest first, in pages: `page` (from 1) and `per_page` (1-500, default 100); `total` and `pages` tell how many there are.",
        querystring: {
          type: "object",
          properties: {
            q: { type: "string" },
            status: { type: "string", description: "comma-separated statuses" },
            page: { type: "integer", minimum: 1, default: 1 },
            per_page: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          },
        },
      },
    },
    async (request, reply) => {
      const q = z
        .object({ q: z.string().max(64).optional(), status: statusList, page: z.coerce.number().int().min(1).max(100_000).default(1), per_page: z.coerce.number().int().min(1).max(500).default(100) })
        .safeParse(request.query ?? {});
      if (!q.success) return sendError(request, reply, 400);
      const who = whoOf(request);
      const p = await service.casePage(ctx, who, { q: q.data.q, status: q.data.status as service.CaseStatus[] | undefined }, q.data.page, q.data.per_page);
      await service.recordCaseExport(ctx, who, p.items.length);
      return {
        total: p.total,
        page: p.page,
        pages: p.pages,
        per_page: p.size,
        cases: p.items.map((c) => ({ id: c.id, label: c.label, livc_id: c.livcId, status: c.status, opened_on: c.openedOn, closed_on: c.closedOn, next_review_on: c.nextReviewOn })),
      };
    },
  );

  app.get(
    "/api/v1/cases/:id",
    { config: { permission: "case.access" }, schema: { tags: ["cases"], summary: "One case (404 when you do not need to know it)", params: { type: "object", properties: { id: { type: "string" } } } } },
    async (request, reply) => {
      const id = z.string().uuid().safeParse((request.params as { id?: string }).id);
      if (!id.success) return sendError(request, reply, 404);
      try {
        const c = await service.getCase(ctx, whoOf(request), id.data);
        return {
          id: c.id,
          label: c.label,
          livc_id: c.livcId,
          status: c.status,
          minor: c.minor,
          opened_on: c.openedOn,
          closed_on: c.closedOn,
          closure_reason: c.closureReason,
          next_review_on: c.nextReviewOn,
          legal_hold: c.legalHold,
          transitions: c.transitions,
        };
      } catch (e) {
        if (e instanceof CaseError) return sendError(request, reply, 404);
        throw e;
      }
    },
  );

  app.get(
    "/api/v1/figures/cases",
    {
      config: { permission: "monitoring.read" },
      schema: {
        tags: ["monitoring"],
        summary: "Cases and consultations per LIVC per quarter (aggregates; 1-4 shown as \"<5\")",
        querystring: { type: "object", required: ["from", "to"], properties: { from: { type: "string", format: "date" }, to: { type: "string", format: "date" } } },
      },
    },
    async (request, reply) => {
      const q = request.query as { from?: string; to?: string };
      if (!q.from || !q.to || !isIsoDate(q.from) || !isIsoDate(q.to)) return sendError(request, reply, 400, "from and to must be dates written YYYY-MM-DD");
      return { figures: await service.quarterlyFigures(ctx, { from: q.from, to: q.to }) };
    },
  );
}
