import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { checkFiguresPeriod, FiguresPeriodError } from "./figures";
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
          "Only cases of LIVCs where you are chair, coordinator or information officer, and cases you were granted as an invited partner. Label search with q; `status` (comma-separated); `review_by` (YYYY-MM-DD): only cases whose next review is on or before that day, soonest first. Otherwise newest first, in pages: `page` (from 1) and `per_page` (1-500, default 100); `total` and `pages` tell how many there are.",
        querystring: {
          type: "object",
          properties: {
            q: { type: "string" },
            status: { type: "string", description: "comma-separated statuses" },
            review_by: { type: "string", format: "date", description: "next review on or before this day (YYYY-MM-DD)" },
            page: { type: "integer", minimum: 1, default: 1 },
            per_page: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          },
        },
      },
    },
    async (request, reply) => {
      const q = z
        .object({ q: z.string().max(64).optional(), status: statusList, review_by: z.string().refine(isIsoDate).optional(), page: z.coerce.number().int().min(1).max(100_000).default(1), per_page: z.coerce.number().int().min(1).max(500).default(100) })
        .safeParse(request.query ?? {});
      if (!q.success) return sendError(request, reply, 400);
      const who = whoOf(request);
      const p = await service.casePage(ctx, who, { q: q.data.q, status: q.data.status as service.CaseStatus[] | undefined, reviewBy: q.data.review_by }, q.data.page, q.data.per_page);
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
        description:
          "Whole calendar quarters that have ended only (decision 0020): `from` must be the first day of a quarter (YYYY-01-01, -04-01, -07-01 or -10-01), " +
          "`to` the last day of a quarter (YYYY-03-31, -06-30, -09-30 or -12-31) not before `from` and not in the running quarter. " +
          "Any other value is refused with 400 and a message naming the parameter; a window is never narrowed or widened silently, " +
          "so no two requests can differ by less than a whole quarter.",
        querystring: {
          type: "object",
          required: ["from", "to"],
          properties: {
            from: { type: "string", format: "date", description: "first day of a calendar quarter" },
            to: { type: "string", format: "date", description: "last day of a calendar quarter that has ended" },
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query as { from?: string; to?: string };
      if (typeof q.from !== "string") return sendError(request, reply, 400, "from is required: the first day of a calendar quarter, YYYY-MM-DD");
      if (typeof q.to !== "string") return sendError(request, reply, 400, "to is required: the last day of a calendar quarter, YYYY-MM-DD");
      const period = { from: q.from, to: q.to };
      try {
        checkFiguresPeriod(period, todayInBrussels());
      } catch (e) {
        if (e instanceof FiguresPeriodError) return sendError(request, reply, 400, e.message);
        throw e;
      }
      return { figures: await service.quarterlyFigures(ctx, period) };
    },
  );
}
