import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit } from "../../platform/audit";
import { AUDIT_EXPORT_HEADER, auditEntriesBetween, whoSaw } from "../../platform/audit/queries";
import type { AppContext } from "../../platform/context";
import { CSV_BOM, csvLine } from "../../platform/csv";
import { addDays, isIsoDate, todayInBrussels } from "../../platform/db/values";
import { hasRoleIn } from "../../platform/policy/actor";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { WhoSawPage } from "./views/audit";

const exportQuery = z.object({
  from: z.string().refine(isIsoDate).optional(),
  to: z.string().refine(isIsoDate).optional(),
});

/**
 * The DPO's audit export (CSV, permission audit.export) and the chair's "who saw this" page for
 * one resource: allowed only to a chair of the LIVC the resource's entries belong to.
 */
export function auditRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get("/audit/export.csv", { config: { permission: "audit.export" } }, async (request, reply) => {
    const q = exportQuery.safeParse(request.query);
    if (!q.success) return sendError(request, reply, 400);
    const to = q.data.to ?? todayInBrussels();
    const from = q.data.from ?? addDays(to, -30);
    await audit.record(request, { action: "audit.export", resourceType: "audit_log", resourceId: `${from}..${to}`, outcome: "success" });
    // Streamed batch by batch (issue 9): a year of entries is millions of rows; memory stays flat.
    async function* csv() {
      yield CSV_BOM + csvLine(AUDIT_EXPORT_HEADER);
      for await (const batch of auditEntriesBetween(ctx, `${from}T00:00:00.000Z`, `${addDays(to, 1)}T00:00:00.000Z`, 2000)) {
        let chunk = "";
        for (const r of batch) chunk += csvLine(AUDIT_EXPORT_HEADER.map((k) => r[k]));
        yield chunk;
      }
    }
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="schakel-audit-${from}-${to}.csv"`)
      // One chunk (a batch of rows) ahead at most: the default object-mode buffer of 16 chunks held
      // ~25 MB of CSV text when the client reads slower than the database (issue 9: RSS +105 MB).
      .send(Readable.from(csv(), { highWaterMark: 1 }));
  });

  app.get("/audit/who-saw/:type/:id", { config: { permission: "livc.member" } }, async (request, reply) => {
    const p = z.object({ type: z.string().regex(/^[a-z_]{1,40}$/), id: z.string().max(100) }).safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const entries = await whoSaw(ctx, p.data.type, p.data.id);
    const livcIds = [...new Set(entries.map((e) => e.livc_id).filter((x): x is string => Boolean(x)))];
    const allowed = livcIds.length > 0 && livcIds.every((l) => hasRoleIn(request.actor, l, "chair"));
    if (!allowed) {
      await audit.record(request, { action: "audit.who_saw", resourceType: p.data.type, resourceId: p.data.id, outcome: "denied" });
      return sendError(request, reply, 403);
    }
    await audit.record(request, { action: "audit.who_saw", resourceType: p.data.type, resourceId: p.data.id, livcId: livcIds[0], outcome: "allowed" });
    return sendPage(reply, h(WhoSawPage, { ctx: viewContext(request), resourceType: p.data.type, entries }));
  });
}
