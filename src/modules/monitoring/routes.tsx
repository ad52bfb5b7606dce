import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { z } from "zod";
import { audit } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { caseFiguresOn } from "./case-figures";
import { coverageCsv, coveragePdf } from "./export";
import { cachedMap } from "./map";
import { coverageJson } from "./coverage-json";
import { sendPrepared } from "../../platform/web/encoding";
import { dashboardMain, sendDashboard } from "./page";
import { checkReportDate, dashboardData, ReportDateError } from "./service";
import { DashboardMain, DashboardPage } from "./views/dashboard";
import { extend } from "../../platform/objects";

const dateQuery = z.object({ date: z.string().trim().max(20).optional() });

const namedList = z.array(z.object({ nis: z.string(), name: z.string() }));
const coverageSchema = z.object({
  date: z.string().describe("the date asked, YYYY-MM-DD"),
  set: z.enum(["2019", "2025"]).describe("municipality set used: 2019 (300 municipalities) or 2025 (285)"),
  municipalities: z.number().int().describe("municipalities valid on the date"),
  covered: z.number().int(),
  without_livc: z.number().int().describe("includes merged municipalities awaiting a decision"),
  covered_by_own_livc: z.number().int(),
  covered_by_intermunicipal_livc: z.number().int(),
  livcs: z.number().int().describe("LIVCs covering at least one municipality on the date"),
  intermunicipal_livcs: z.number().int().describe("LIVCs covering two or more municipalities on the date"),
  by_province: z.array(z.object({ province: z.string(), municipalities: z.number().int(), covered: z.number().int(), without_livc: z.number().int() })),
  without: namedList.describe("municipalities without an LIVC, sorted by NIS code"),
  obstacles: z
    .array(
      z.object({
        reason: z.string(),
        municipalities: z.number().int(),
        inherited: z.number().int().describe("of those, municipalities formed in 2025 that have the reason only through a former (merged) municipality"),
      }),
    )
    .describe(
      "for the municipalities without an LIVC: each reason recorded on or before the date, once per municipality and reason; a municipality formed in 2025 also counts its former parts' reasons (decision 0033)",
    ),
  needs_decision: namedList.describe("municipalities formed on 2025-01-01 whose parts were not all in one LIVC, awaiting an administrator's decision"),
  after_today: z.boolean().describe("true when the date lies after today: the figures are the register as recorded today, with the memberships' planned starts and ends; nothing else is projected"),
  notice: z.string().optional().describe("with after_today: the same in words"),
});

function pickDate(request: FastifyRequest): { input: string; date: string | null; error: boolean } {
  const parsed = dateQuery.safeParse(request.query);
  const input = parsed.success ? (parsed.data.date ?? "") : "";
  if (!input) return { input: todayInBrussels(), date: todayInBrussels(), error: false };
  try {
    return { input, date: checkReportDate(input), error: false };
  } catch (e) {
    if (e instanceof ReportDateError) return { input, date: null, error: true };
    throw e;
  }
}

export function monitoringRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  app.get("/monitoring", { config: { permission: "monitoring.read" } }, async (request, reply) => {
    const view = viewContext(request);
    const picked = pickDate(request);
    if (!picked.date) {
      const mainHtml = renderToString(h(DashboardMain, { ctx: view, dateInput: picked.input, error: view.t("mon.error.date"), data: null }));
      return sendPage(reply, h(DashboardPage, { ctx: view, mainHtml }), 400);
    }
    const data = await dashboardData(db, picked.date);
    // Case figures through cases/service.ts only: aggregates per LIVC with 1-4 as "<5".
    const caseTables = await caseFiguresOn(ctx, picked.date);
    const { main, hit } = dashboardMain(db, view, data, caseTables);
    reply.header("x-page-cache", hit ? "hit" : "miss");
    return sendDashboard(request, reply, view, main);
  });

  // The map as an image of its own: the browser keeps it and revalidates it with the ETag (304).
  app.get("/monitoring/map.svg", { config: { permission: "monitoring.read" } }, async (request, reply) => {
    const picked = pickDate(request);
    if (!picked.date) return sendError(request, reply, 400);
    const data = await dashboardData(db, picked.date);
    const map = cachedMap(db, extend(data.coverage, { revision: data.revision }));
    const image = await map.image;
    reply.header("x-map-cache", map.hit ? "hit" : "miss");
    return sendPrepared(request, reply, image, "image/svg+xml; charset=utf-8");
  });

  const download = async (request: FastifyRequest, reply: FastifyReply, format: "csv" | "pdf") => {
    const picked = pickDate(request);
    if (!picked.date) return sendError(request, reply, 400);
    const data = await dashboardData(db, picked.date);
    // The same quarterly case tables as the page (whole ended quarters, "<5" and ranges: decision 0020).
    const caseTables = await caseFiguresOn(ctx, picked.date);
    await audit.record(request, { action: `monitoring.export.${format}`, resourceType: "coverage_report", resourceId: picked.date, outcome: "success" });
    const name = `livc-coverage-${picked.date}.${format}`;
    reply.header("content-disposition", `attachment; filename="${name}"`);
    if (format === "csv") return reply.type("text/csv; charset=utf-8").send(coverageCsv(data, caseTables));
    const map = await cachedMap(db, extend(data.coverage, { revision: data.revision })).image;
    return reply.type("application/pdf").send(await coveragePdf(data, request.locale, map.identity.toString("utf8"), caseTables));
  };
  app.get("/monitoring/coverage.csv", { config: { permission: "monitoring.read" } }, (request, reply) => download(request, reply, "csv"));
  app.get("/monitoring/coverage.pdf", { config: { permission: "monitoring.read" } }, (request, reply) => download(request, reply, "pdf"));

  app.get(
    "/api/v1/monitoring/coverage",
    {
      config: { permission: "monitoring.read" },
      schema: {
        tags: ["monitoring"],
        summary: "LIVC coverage of Flemish municipalities on a date",
        description:
          "Which municipalities have an LIVC on the date (default today), own or inter-municipal, which have none and the obstacles recorded for them. " +
          "Same figures as `schakel report coverage --date`. Dates before 2019-01-01 (the start of the register) are refused with 400. " +
          "A date after today is answered from the register as recorded today, with the planned starts and ends of memberships: after_today is true and notice says so.",
        querystring: {
          type: "object",
          properties: { date: { type: "string", format: "date", description: "YYYY-MM-DD, on or after 2019-01-01" } },
        },
        response: { 200: z.toJSONSchema(coverageSchema) },
      },
    },
    async (request, reply) => {
      const parsed = dateQuery.safeParse(request.query);
      const date = (parsed.success ? parsed.data.date : undefined) || todayInBrussels();
      try {
        checkReportDate(date);
      } catch (e) {
        if (e instanceof ReportDateError) return sendError(request, reply, 400, e.message);
        throw e;
      }
      const { body, hit } = await coverageJson(db, date);
      reply.header("x-coverage-cache", hit ? "hit" : "miss");
      return sendPrepared(request, reply, body, "application/json; charset=utf-8");
    },
  );
}
