import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit, whoOf } from "../../platform/audit";
import { type AppContext, bound } from "../../platform/context";
import { todayInBrussels } from "../../platform/db/values";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { ensureOrganisation, userIdByEmail } from "../identity/service";
import { isSector } from "../identity/sectors";
import { municipalityOn } from "../reference/service";
import { checkOrganisationFields, type OrganisationFieldError, updateOrganisation } from "./org-edit";
import { organisationPage } from "./org-list";
import * as service from "./service";
import { emptyForm, type FormState, OrganisationDetailPage, OrganisationsPage } from "./views/org-admin";
import { extend } from "../../platform/objects";

const idParam = z.object({ id: z.string().uuid() });
const nisField = z.object({ nis: z.string().trim().regex(/^\d{5}$/) });
const emailField = z.object({ email: z.string().trim().toLowerCase().email().max(254) });
const userField = z.object({ user_id: z.string().uuid() });
/** ?q= (part of the name) and ?page= (1-based); anything else falls back to the whole list's first page. */
const listQuery = z.object({
  q: z.preprocess((v) => (typeof v === "string" ? v.slice(0, 200) : ""), z.string()),
  page: z.preprocess((v) => (typeof v === "string" && /^\d{1,6}$/.test(v) ? Number(v) : 1), z.number().int()),
});

const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
const typed = (raw: Record<string, unknown>, field: string, max: number) => (typeof raw[field] === "string" ? (raw[field] as string).slice(0, max) : "");
const FIELD_OF: Record<OrganisationFieldError, "name" | "sector"> = { name_required: "name", name_taken: "name", sector: "sector" };
const NOTICES = { created: "oa.done.created", saved: "oa.done.saved", unchanged: "oa.done.unchanged" } as const;

/**
 * Organisation administration (permission admin.accounts): the partner organisations (identity's
 * table), the municipalities they work in and their contacts. Forms work without JavaScript; every
 * change is audited (through this module's service, or here for a new organisation).
 */
export function orgAdminRoutes(app: FastifyInstance, ctx: AppContext) {
  const cfg = { config: { permission: "admin.accounts" as const } };

  async function renderList(request: FastifyRequest, reply: FastifyReply, form: FormState = emptyForm(), status = 200) {
    // The search term travels in the query string (a GET form, no JavaScript needed); query strings
    // never reach the log (src/platform/log.ts). After a refused POST the first page is shown.
    const q = request.method === "GET" ? listQuery.parse(request.query ?? {}) : { q: "", page: 1 };
    const list = await organisationPage(ctx, { search: q.q, page: q.page });
    const organisations = list.items.map((o) => extend(o, { sector: isSector(o.sector) ? o.sector : null }));
    return sendPage(reply, h(OrganisationsPage, { ctx: viewContext(request), list: extend(list, { items: organisations }), form }), status);
  }

  /** Name and sector errors (creation and change share the rules, org-edit.ts), linked to their fields, with the typed input. */
  function fieldsForm(request: FastifyRequest, raw: Record<string, unknown>, errors: OrganisationFieldError[]): FormState {
    const t = viewContext(request).t;
    return { values: { name: typed(raw, "name", 200), sector: typed(raw, "sector", 40) }, errors: errors.map((e) => ({ field: FIELD_OF[e], message: t(`oa.error.${e}`) })) };
  }

  async function renderDetail(request: FastifyRequest, reply: FastifyReply, id: string, forms: { details?: FormState; municipality?: FormState; contact?: FormState } = {}, status = 200) {
    const o = await service.organisationById(ctx, id);
    if (!o) return sendError(request, reply, 404);
    const today = todayInBrussels();
    const db = ctx.database.db;
    const municipalities = await Promise.all((await service.organisationMunicipalities(ctx, id)).map(async (nis) => ({ nis, name: (await municipalityOn(db, nis, today))?.name ?? null })));
    const contacts = (await service.organisationContacts(ctx, [id])).map((c) => ({ user_id: c.user_id, display_name: c.display_name, email: c.email }));
    const done = (request.query as Record<string, string | undefined>).done;
    const notice = done && done in NOTICES ? viewContext(request).t(NOTICES[done as keyof typeof NOTICES]) : undefined;
    return sendPage(
      reply,
      h(OrganisationDetailPage, {
        ctx: viewContext(request),
        organisation: { id: o.id, name: o.name, sector: isSector(o.sector) ? o.sector : null },
        municipalities,
        contacts,
        detailsForm: forms.details ?? emptyForm(),
        municipalityForm: forms.municipality ?? emptyForm(),
        contactForm: forms.contact ?? emptyForm(),
        notice: status === 200 ? notice : undefined,
      }),
      status,
    );
  }

  /** The organisation named in the URL, or a 404 already sent. */
  async function organisationOf(request: FastifyRequest, reply: FastifyReply) {
    const p = idParam.safeParse(request.params);
    const o = p.success ? await service.organisationById(ctx, p.data.id) : undefined;
    if (!o) {
      await sendError(request, reply, 404);
      return undefined;
    }
    return o;
  }

  app.get("/admin/organisations", cfg, async (request, reply) => renderList(request, reply));

  app.post("/admin/organisations", cfg, async (request, reply) => {
    const raw = bodyOf(request);
    const checked = await checkOrganisationFields(ctx, raw);
    if (!checked.ok) return renderList(request, reply, fieldsForm(request, raw, checked.errors), 400);
    const id = await ctx.database.db.transaction().execute(async (trx) => {
      const made = await ensureOrganisation(bound(ctx, trx), { name: checked.name, sector: checked.sector });
      await audit.record(request, { action: "partners.organisation.create", resourceType: "organisation", resourceId: made, outcome: "success" }, { db: trx });
      return made;
    });
    return reply.redirect(`/admin/organisations/${id}?done=created`, 303);
  });

  app.get("/admin/organisations/:id", cfg, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    return renderDetail(request, reply, p.data.id);
  });

  // Name and sector: the same rules as at creation (the name unique apart from this organisation itself).
  app.post("/admin/organisations/:id/edit", cfg, async (request, reply) => {
    const o = await organisationOf(request, reply);
    if (!o) return reply;
    const raw = bodyOf(request);
    const checked = await checkOrganisationFields(ctx, raw, o.id);
    if (!checked.ok) return renderDetail(request, reply, o.id, { details: fieldsForm(request, raw, checked.errors) }, 400);
    const changed = await updateOrganisation(ctx, whoOf(request), o.id, { name: checked.name, sector: checked.sector });
    if (changed === null) return sendError(request, reply, 404);
    return reply.redirect(`/admin/organisations/${o.id}?done=${changed.length > 0 ? "saved" : "unchanged"}`, 303);
  });

  app.post("/admin/organisations/:id/municipalities", cfg, async (request, reply) => {
    const o = await organisationOf(request, reply);
    if (!o) return reply;
    const raw = bodyOf(request);
    const t = viewContext(request).t;
    const parsed = nisField.safeParse(raw);
    const current = await service.organisationMunicipalities(ctx, o.id);
    let error: string | undefined;
    if (!parsed.success || !(await municipalityOn(ctx.database.db, parsed.data.nis, todayInBrussels()))) error = t("oa.error.nis");
    else if (current.includes(parsed.data.nis)) error = t("oa.error.nis_present");
    if (error || !parsed.success) return renderDetail(request, reply, o.id, { municipality: { values: { nis: typed(raw, "nis", 5) }, errors: [{ field: "nis", message: error ?? t("oa.error.nis") }] } }, 400);
    await service.setOrganisationMunicipalities(ctx, whoOf(request), o.id, [...current, parsed.data.nis]);
    return reply.redirect(`/admin/organisations/${o.id}?done=saved`, 303);
  });

  app.post("/admin/organisations/:id/municipalities/remove", cfg, async (request, reply) => {
    const o = await organisationOf(request, reply);
    if (!o) return reply;
    const parsed = nisField.safeParse(bodyOf(request));
    const current = await service.organisationMunicipalities(ctx, o.id);
    if (!parsed.success || !current.includes(parsed.data.nis)) return sendError(request, reply, 400);
    await service.setOrganisationMunicipalities(ctx, whoOf(request), o.id, current.filter((n) => n !== parsed.data.nis));
    return reply.redirect(`/admin/organisations/${o.id}?done=saved`, 303);
  });

  app.post("/admin/organisations/:id/contacts", cfg, async (request, reply) => {
    const o = await organisationOf(request, reply);
    if (!o) return reply;
    const raw = bodyOf(request);
    const t = viewContext(request).t;
    const parsed = emailField.safeParse(raw);
    const userId = parsed.success ? await userIdByEmail(ctx, parsed.data.email) : null;
    let error: string | undefined;
    if (!userId) error = t("oa.error.email");
    else if ((await service.organisationContacts(ctx, [o.id])).some((c) => c.user_id === userId)) error = t("oa.error.email_present");
    if (error || !userId) return renderDetail(request, reply, o.id, { contact: { values: { email: typed(raw, "email", 254) }, errors: [{ field: "email", message: error ?? t("oa.error.email") }] } }, 400);
    await service.addOrganisationContact(ctx, whoOf(request), o.id, userId);
    return reply.redirect(`/admin/organisations/${o.id}?done=saved`, 303);
  });

  app.post("/admin/organisations/:id/contacts/remove", cfg, async (request, reply) => {
    const o = await organisationOf(request, reply);
    if (!o) return reply;
    const parsed = userField.safeParse(bodyOf(request));
    if (!parsed.success || !(await service.organisationContacts(ctx, [o.id])).some((c) => c.user_id === parsed.data.user_id)) return sendError(request, reply, 400);
    await service.removeOrganisationContact(ctx, whoOf(request), o.id, parsed.data.user_id);
    return reply.redirect(`/admin/organisations/${o.id}?done=saved`, 303);
  });
}
