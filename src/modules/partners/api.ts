/** The regional participation figures: page, CSV, PDF and JSON (all through regionalView: suppressed). */
import type { FastifyInstance } from "fastify";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import type { AppContext } from "../../platform/context";
import { audit } from "../../platform/audit";
import { todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { SHARED_MARK, sendWithShared, sharedContent, sharedView } from "../../platform/web/shared-content";
import { sendPage, viewContext } from "../../platform/web/view";
import { participationCsv, participationPdf } from "./export";
import { ParticipationDateError, participationFigures, participationWindow, type RegionalAnswer, regionalParticipation } from "./report";
import { participationQuery } from "./schema";
import { ParticipationFigures, ParticipationPage } from "./views/participation";
import { extend } from "../../platform/objects";

const shown = { oneOf: [{ type: "integer", minimum: 0 }, { type: "string", enum: ["<5"] }] };
const counts = {
  type: "object",
  properties: { sent: shown, pending: shown, accepted: shown, declined: shown, expired: shown, withdrawn: shown },
  required: ["sent", "accepted", "declined", "expired"],
};

export const participationResponseSchema = {
  type: "object",
  required: ["date", "requested_date", "after_today", "notice", "livcs", "livcs_without_social_partner", "by_sector"],
  properties: {
    date: { type: "string", format: "date", description: "the day the figures describe: the last day of the newest whole quarter that ended before requested_date (and before today)" },
    requested_date: { type: "string", format: "date", description: "the parameter date as asked (default today)" },
    after_today: { type: "boolean", description: "true when the parameter date lies after today: the figures are today's (the quarters ended before today), nothing is projected" },
    notice: { type: "string", description: "in words: which window the parameter date was answered with, and why" },
    period: { type: "object", properties: { from: { type: "string", format: "date" }, to: { type: "string", format: "date" } }, description: "the four whole quarters counted" },
    suppression: { type: "string" },
    livcs: { type: "integer", description: "LIVCs active on the date" },
    livcs_without_social_partner: { type: "integer" },
    share_without_social_partner: { type: "number", nullable: true },
    social_partner_sectors: { type: "array", items: { type: "string" }, description: "the sectors that count as social partner" },
    by_sector: {
      type: "array",
      items: {
        type: "object",
        required: ["sector", "livcs_member", "invitations", "decline_reasons", "attendance_rate"],
        properties: {
          sector: { type: "string" },
          social_partner: { type: "boolean" },
          livcs_member: { type: "integer", description: "active LIVCs where an organisation of the sector holds a seat on the date" },
          share_livcs_member: { type: "number", nullable: true },
          invitations: extend(counts, { description: "structural invitations (to take a seat at an LIVC) sent in the four quarters, with their status on the date; invitations to one case consultation are not counted; 1-4 shown as \"<5\"" }),
          decline_reasons: { type: "object", additionalProperties: shown, description: "reason -> count of declined invitations; 1-4 shown as \"<5\"" },
          attendance_rate: { type: "number", minimum: 0, maximum: 1, nullable: true, description: "attended / expected presences of member organisations at consultations held in the four quarters; null without consultations or when suppressed" },
          attendance_rate_suppressed: { type: "boolean", description: "true when fewer than 5 organisations are behind the rate" },
          flags: {
            type: "object",
            properties: { livcs_declined: { type: "integer" }, livcs_low_attendance: { type: "integer" }, livcs_never_invited: { type: "integer" } },
          },
        },
      },
    },
    by_livc: { type: "array", items: { type: "object", additionalProperties: true }, description: "the matrix LIVC x sector: status per cell" },
  },
};

/**
 * The view context for the cached figures: language and formatting only. The name, CSRF token, URL and
 * permissions of the person asking are left out, so nothing of theirs can reach another person's page.
 */
export function participationApiRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  app.get("/monitoring/participation", { config: { permission: "monitoring.read" } }, async (request, reply) => {
    const raw = String((request.query as Record<string, unknown>).date ?? todayInBrussels()).slice(0, 20);
    const v = viewContext(request);
    try {
      // The figures of the date's window (whole ended quarters, decision 0052); the page says which.
      const window = participationWindow(raw);
      const figures = await participationFigures(db, window.date);
      // The figures' HTML depends on the report and the language only: rendered and deflated once per
      // cached report, sent pre-compressed inside the per-request layout (platform/web/shared-content.ts).
      let figuresContent = figures.html.get(v.locale);
      if (figuresContent === undefined) {
        figuresContent = sharedContent(renderToString(h(ParticipationFigures, { ctx: sharedView(v, "/monitoring/participation"), report: figures.regional })));
        figures.html.set(v.locale, figuresContent);
      }
      return sendWithShared(request, reply, h(ParticipationPage, { ctx: v, report: figures.regional, window, figuresHtml: SHARED_MARK, dateInput: raw }), figuresContent);
    } catch (e) {
      if (!(e instanceof ParticipationDateError)) throw e;
      return sendPage(reply, h(ParticipationPage, { ctx: v, report: null, dateInput: raw, dateError: v.t("pp.error.date") }), 400);
    }
  });

  for (const format of ["csv", "pdf"] as const) {
    app.get(`/monitoring/participation.${format}`, { config: { permission: "monitoring.read" } }, async (request, reply) => {
      const q = participationQuery.safeParse(request.query);
      if (!q.success) return sendError(request, reply, 400);
      const date = q.data.date ?? todayInBrussels();
      let report: RegionalAnswer;
      try {
        report = await regionalParticipation(db, date);
      } catch (e) {
        if (!(e instanceof ParticipationDateError)) throw e;
        return sendError(request, reply, 400, e.message);
      }
      await audit.record(request, { action: `partners.participation.export.${format}`, resourceType: "participation_report", resourceId: report.date, outcome: "success" });
      reply.header("content-disposition", `attachment; filename="schakel-participation-${report.date}.${format}"`);
      if (format === "csv") return reply.type("text/csv; charset=utf-8").send(participationCsv(report));
      return reply.type("application/pdf").send(await participationPdf(report, request.locale));
    });
  }

  app.get(
    "/api/v1/monitoring/participation",
    {
      config: { permission: "monitoring.read" },
      schema: {
        tags: ["monitoring"],
        summary: "Partner participation in the LIVCs by sector, on a date",
        description:
          "Which sectors take part in the LIVCs, structural invitations (to take a seat) and their outcome, decline reasons and attendance, over the four whole calendar quarters that ended before the date (decision 0052): every date of one quarter gives the same figures, the running quarter is never counted, and a date after today gives today's figures (after_today, notice). `date` in the answer is the day the figures describe; `notice` says which window the parameter was answered with. Invitations to one case consultation are not counted (they follow a case). Counts of 1-4 invitations or reasons are \"<5\"; attendance rates of fewer than 5 organisations are null with attendance_rate_suppressed. The same figures as `schakel report participation`.",
        querystring: {
          type: "object",
          properties: { date: { type: "string", format: "date", description: "YYYY-MM-DD, from 2019-04-01 (default today); answered with the four whole quarters ended before it" } },
        },
        response: { 200: participationResponseSchema },
      },
    },
    async (request, reply) => {
      const q = participationQuery.safeParse(request.query);
      if (!q.success) return sendError(request, reply, 400, "date must be a date written YYYY-MM-DD");
      try {
        return await regionalParticipation(db, q.data.date ?? todayInBrussels());
      } catch (e) {
        if (!(e instanceof ParticipationDateError)) throw e;
        return sendError(request, reply, 400, e.message);
      }
    },
  );
}
