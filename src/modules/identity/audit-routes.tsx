import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit } from "../../platform/audit";
import type { AuditOutcome } from "../../platform/audit/chain";
import { AUDIT_EXPORT_HEADER, AUDIT_OUTCOMES, type AuditFilter, auditEntriesBetween, auditPage, whoSaw } from "../../platform/audit/queries";
import type { AppContext } from "../../platform/context";
import { CSV_BOM, csvLine } from "../../platform/csv";
import { addDays, brusselsDayStart, isIsoDate, todayInBrussels } from "../../platform/db/values";
import { hasRoleIn } from "../../platform/policy/actor";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import * as store from "./store";
import { WhoSawPage } from "./views/audit";
import { AuditLogPage, type AuditLogValues } from "./views/audit-log";
import { extend } from "../../platform/objects";

const ACTION = /^[a-z0-9_.]{1,60}$/;
const RESOURCE_TYPE = /^[a-z_]{1,40}$/;
/** The search in the query string (page links, the CSV): ids and codes only, never an e-mail address. */
const exportQuery = z.object({
  from: z.string().refine(isIsoDate).optional(),
  to: z.string().refine(isIsoDate).optional(),
  actor_id: z.string().uuid().optional(),
  action: z.string().regex(ACTION).optional(),
  resource_type: z.string().regex(RESOURCE_TYPE).optional(),
  resource_id: z.string().min(1).max(100).optional(),
  outcome: z.enum(AUDIT_OUTCOMES as [AuditOutcome, ...AuditOutcome[]]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});
type Search = z.infer<typeof exportQuery>;

const period = (q: Search) => {
  const to = q.to ?? todayInBrussels();
  return { from: q.from ?? addDays(to, -30), to };
};
const filterOf = (q: Search): AuditFilter => ({ actorId: q.actor_id, action: q.action, resourceType: q.resource_type, resourceId: q.resource_id, outcome: q.outcome });
/** The search as query parameters (without the page), empty ones left out. */
const paramsOf = (q: Search): Record<string, string> => {
  const { from, to } = period(q);
  const all: Record<string, string | undefined> = { from, to, actor_id: q.actor_id, action: q.action, resource_type: q.resource_type, resource_id: q.resource_id, outcome: q.outcome };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => Boolean(e[1])));
};

/**
 * The DPO's audit export (CSV, permission audit.export) and the chair's "who saw this" page for
 * one resource: allowed only to a chair of the LIVC the resource's entries belong to.
 */
export function auditRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get("/audit/export.csv", { config: { permission: "audit.export" } }, async (request, reply) => {
    const q = exportQuery.safeParse(request.query);
    if (!q.success) return sendError(request, reply, 400);
    const { from, to } = period(q.data);
    const filter = filterOf(q.data);
    await audit.record(request, { action: "audit.export", resourceType: "audit_log", resourceId: `${from}..${to}`, outcome: "success" });
    // Streamed batch by batch (issue 9): a year of entries is millions of rows; memory stays flat.
    async function* csv() {
      yield CSV_BOM + csvLine(AUDIT_EXPORT_HEADER);
      for await (const batch of auditEntriesBetween(ctx, brusselsDayStart(from), brusselsDayStart(addDays(to, 1)), 2000, filter)) {
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

  // The DPO's audit log page: a search (GET: ids and codes only), its page of entries, the same as CSV.
  const emptyValues = (): AuditLogValues => ({ from: "", to: "", actor: "", action: "", resource_type: "", resource_id: "", outcome: "" });
  app.get("/audit", { config: { permission: "audit.export" } }, async (request, reply) => {
    const q = exportQuery.safeParse(request.query ?? {});
    if (!q.success) return sendError(request, reply, 400);
    const { from, to } = period(q.data);
    const page = q.data.page ?? 1;
    const found = await auditPage(ctx, brusselsDayStart(from), brusselsDayStart(addDays(to, 1)), filterOf(q.data), page);
    // The DPO's own search is logged like any other read of the log.
    await audit.record(request, { action: "audit.view", resourceType: "audit_log", resourceId: `${from}..${to}`, outcome: "success" });
    const actor = q.data.actor_id ? ((await store.findUser(ctx.database.db, q.data.actor_id))?.email ?? "") : "";
    const values: AuditLogValues = Object.assign(emptyValues(), paramsOf(q.data), { actor });
    const params = paramsOf(q.data);
    return sendPage(
      reply,
      h(AuditLogPage, { ctx: viewContext(request), values, errors: {}, outcomes: AUDIT_OUTCOMES, result: extend(found, { page, params, csvHref: `/audit/export.csv?${new URLSearchParams(params)}` }) }),
    );
  });

  app.post("/audit", { config: { permission: "audit.export" } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const text = (k: keyof AuditLogValues, max: number) => (typeof raw[k] === "string" ? (raw[k] as string).trim().slice(0, max) : "");
    const values: AuditLogValues = { from: text("from", 10), to: text("to", 10), actor: text("actor", 254), action: text("action", 60), resource_type: text("resource_type", 40), resource_id: text("resource_id", 100), outcome: text("outcome", 20) };
    const t = viewContext(request).t;
    const errors: Record<string, string> = {};
    if (values.from && !isIsoDate(values.from)) errors.from = t("al.error.date");
    if (values.to && !isIsoDate(values.to)) errors.to = t("al.error.date");
    if (!errors.from && !errors.to && values.from && values.to && values.to < values.from) errors.to = t("al.error.order");
    if (values.action && !ACTION.test(values.action)) errors.action = t("al.error.action");
    if (values.resource_type && !RESOURCE_TYPE.test(values.resource_type)) errors.resource_type = t("al.error.resource_type");
    const outcome = (AUDIT_OUTCOMES as readonly string[]).includes(values.outcome) ? (values.outcome as AuditOutcome) : undefined;
    let actorId: string | undefined;
    if (values.actor) {
      actorId = (await store.findUserByEmail(ctx.database.db, values.actor.toLowerCase()))?.id;
      if (!actorId) errors.actor = t("al.error.actor");
    }
    if (Object.keys(errors).length > 0) return sendPage(reply, h(AuditLogPage, { ctx: viewContext(request), values, errors, outcomes: AUDIT_OUTCOMES }), 400);
    const params = paramsOf({ from: values.from || undefined, to: values.to || undefined, actor_id: actorId, action: values.action || undefined, resource_type: values.resource_type || undefined, resource_id: values.resource_id || undefined, outcome });
    return reply.redirect(`/audit?${new URLSearchParams(params)}`, 303);
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
