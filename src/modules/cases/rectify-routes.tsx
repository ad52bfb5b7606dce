import { brusselsDateTime } from "../../platform/daily";
import { lastDailyRun } from "../../platform/daily-runs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { isIsoDate, todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { reportPurgeLogPage, reportPurgesDue } from "../intake/retention-overview";
import { listLivcs } from "../registry/service";
import { casePurgeLogPage, recordRetentionView, retentionOverview } from "./retention-overview";
import * as service from "./service";
import { CaseError, identityBody, RectifyInvalid } from "./service";
import type { ViewContext } from "../../platform/web/view";
import { IdentityEditPage, type IdentityValues, identityErrorMessages, type LinkedOffer, RectifySearchPage } from "./views/rectify";
import { RetentionPage } from "./views/retention";
import { pageParam } from "../../platform/web/pagination";
import { extend } from "../../platform/objects";

const idParam = z.object({ id: z.string().uuid() });
const field = (max: number) => z.string().max(max * 2).optional().default("").transform((v) => v.trim().slice(0, max));
const searchBody = z.object({ name: field(200), dob: field(10) });
export const RETENTION_PAGE_SIZE = 50;

/** What the case form says about the report(s) the case came from (decision 0050): references only. */
function linkedReports(t: ViewContext["t"], linked: service.LinkedRecord[]): LinkedOffer | null {
  if (linked.length === 0) return null;
  const refs = (state?: service.LinkedRecord["state"]) => linked.filter((r) => !state || r.state === state).map((r) => r.name).join(", ");
  const notes = [];
  if (refs("not_allowed")) notes.push(t("rect.linked.case.not_allowed", { references: refs("not_allowed") }));
  if (refs("nothing")) notes.push(t("rect.linked.case.nothing", { references: refs("nothing") }));
  return {
    heading: t("rect.linked.case.heading"),
    from: t("rect.linked.case.from", { references: refs() }),
    offer: refs("ok") ? t("rect.linked.case.also", { references: refs("ok") }) : null,
    notes,
  };
}

/**
 * Rectification of a case's identity (/cases/:id/identity), the DPO's way to it (/rectify) and the
 * DPO's retention page (/retention). The identity form's route gate is "authenticated": the chair
 * and coordinator of the case's LIVC and the DPO may use it, which no single route permission
 * says; the cases rule (mayRectifyCase) decides and audits every refusal (decision 0046).
 */
export function rectifyRoutes(app: FastifyInstance, ctx: AppContext) {
  const failure = (request: FastifyRequest, reply: FastifyReply, e: unknown) => {
    if (e instanceof CaseError) return sendError(request, reply, e.code === "not_allowed" ? 403 : e.code === "not_found" ? 404 : 400);
    throw e;
  };

  const renderForm = async (request: FastifyRequest, reply: FastifyReply, id: string, form?: { values: IdentityValues; errors: Record<string, string> }) => {
    const t = viewContext(request).t;
    const current = await service.caseIdentityForEdit(ctx, whoOf(request), id);
    // The linked reports' box is checked on a first view; after a refusal it keeps what was sent.
    const values = form?.values ?? { full_name: current.identity?.fullName ?? "", date_of_birth: current.identity?.dateOfBirth ?? "", reason: "", also_linked: "yes" };
    // The DPO is not on the case's need-to-know list: the way back is the search, not the case page.
    const back = request.actor?.isDpo && !service.mayRectifyCase(extend(request.actor, { isDpo: false }), { livc_id: current.livcId })
      ? { href: "/rectify", label: t("rect.back_search") }
      : { href: `/cases/${id}`, label: t("rect.back_case", { label: current.label }) };
    return sendPage(
      reply,
      h(IdentityEditPage, {
        ctx: viewContext(request),
        title: t("rect.case.title", { label: current.label }),
        action: `/cases/${id}/identity`,
        back,
        values,
        errors: form?.errors ?? {},
        birthDateRequired: false,
        linked: linkedReports(t, current.linked),
      }),
      form ? 400 : 200,
    );
  };

  app.get("/cases/:id/identity", { config: { permission: "authenticated" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    try {
      return await renderForm(request, reply, p.data.id);
    } catch (e) {
      return failure(request, reply, e);
    }
  });

  app.post("/cases/:id/identity", { config: { permission: "authenticated" } }, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const b = identityBody.safeParse(request.body ?? {});
    if (!p.success) return sendError(request, reply, 404);
    const values = b.success ? b.data : { full_name: "", date_of_birth: "", reason: "", also_linked: "" };
    try {
      const input = { fullName: values.full_name, dateOfBirth: values.date_of_birth, reason: values.reason };
      await service.rectifyCaseIdentity(ctx, whoOf(request), p.data.id, input, { alsoLinked: values.also_linked === "yes" });
      const seesCase = service.mayRectifyCase(request.actor ? extend(request.actor, { isDpo: false }) : null, { livc_id: (await service.caseRow(ctx, p.data.id))?.livc_id ?? "" });
      return reply.redirect(seesCase ? `/cases/${p.data.id}` : "/rectify?done=1", 303);
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

  // --- the DPO's search: a POST, so a name never ends up in an address or a log -----------------

  const livcNames = async () => new Map((await listLivcs(ctx.database.db)).map((l) => [l.id, l.name]));

  app.get("/rectify", { config: { permission: "audit.export" } }, async (request, reply) => {
    const done = (request.query as Record<string, string> | undefined)?.done === "1";
    return sendPage(reply, h(RectifySearchPage, { ctx: viewContext(request), values: { name: "", dob: "" }, errors: {}, results: null, livcNames: new Map(), done }));
  });

  app.post("/rectify", { config: { permission: "audit.export" } }, async (request, reply) => {
    const b = searchBody.safeParse(request.body ?? {});
    const values = b.success ? b.data : { name: "", dob: "" };
    const t = viewContext(request).t;
    const errors: Record<string, string> = {};
    if (!values.name) errors.name = t("rect.error.search_name");
    if (values.dob && !isIsoDate(values.dob)) errors.dob = t("rect.error.date_of_birth.invalid");
    if (Object.keys(errors).length > 0) return sendPage(reply, h(RectifySearchPage, { ctx: viewContext(request), values, errors, results: null, livcNames: new Map() }), 400);
    try {
      const results = await service.rectifiableRecords(ctx, whoOf(request), { fullName: values.name, dateOfBirth: values.dob || null });
      return sendPage(reply, h(RectifySearchPage, { ctx: viewContext(request), values, errors, results, livcNames: await livcNames() }));
    } catch (e) {
      return failure(request, reply, e);
    }
  });

  // --- retention and purge (DPO) -----------------------------------------------------------------

  app.get("/retention", { config: { permission: "audit.export" } }, async (request, reply) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    const cp = pageParam.parse(q.cp ?? 1);
    const rp = pageParam.parse(q.rp ?? 1);
    const size = RETENTION_PAGE_SIZE;
    const paged = async <R,>(page: number, load: (offset: number) => Promise<{ rows: R[]; total: number }>) => {
      const first = await load((page - 1) * size);
      const pages = Math.max(1, Math.ceil(first.total / size));
      // A page past the end shows the last page.
      if (page <= pages) return extend(first, { page, pages });
      return extend(await load((pages - 1) * size), { page: pages, pages });
    };
    const [overview, cases, reports, names, lastRun] = await Promise.all([
      retentionOverview(ctx, (by30, by90) => reportPurgesDue(ctx, by30, by90), todayInBrussels()),
      paged(cp, (offset) => casePurgeLogPage(ctx, { limit: size, offset })),
      paged(rp, (offset) => reportPurgeLogPage(ctx, { limit: size, offset })),
      livcNames(),
      lastDailyRun(ctx.database.db),
    ]);
    await recordRetentionView(ctx, whoOf(request));
    // When the last run ended, on the Brussels clock the DPO reads.
    const jobs = { lastRun: lastRun && extend(brusselsDateTime(lastRun.finishedAt), { failed: lastRun.failed }), dailyAt: ctx.config.SCHAKEL_DAILY_AT };
    return sendPage(reply, h(RetentionPage, { ctx: viewContext(request), overview, cases, reports, livcNames: names, jobs, params: { cp: cases.page, rp: reports.page } }));
  });
}
