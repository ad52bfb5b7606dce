import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { addContactPoint, changeContactPoint, type ContactPointError, contactPoint, contactPoints, endContactPoint, provinceChoices, uncoveredProvinces } from "./contacts";
import { ALL_PROVINCES, type ContactFormState, ContactPointPage, ContactPointsPage, emptyContactForm } from "./views/contacts";

const idParam = z.object({ id: z.string().uuid() });
const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
const typed = (raw: Record<string, unknown>, field: string, max: number) => (typeof raw[field] === "string" ? (raw[field] as string).slice(0, max) : "");
/** The select's value: "all" is all of Flanders (null); anything else is a province name the service checks. */
const provinceOf = (value: string): string | null => (value === ALL_PROVINCES ? null : value);

const DONE = { added: "rc.done.added", changed: "rc.done.changed", unchanged: "rc.done.unchanged", ended: "rc.done.ended" } as const;

/**
 * Regional contact points (permission admin.accounts: a designation opens the regional queue to an
 * account, like a role grant; decision 0034). Plain forms: POST, then a redirect; a refused form is
 * shown again with its input and an error summary. The rules and the audit are in contacts.ts,
 * shared with the CLI.
 */
export function contactPointRoutes(app: FastifyInstance, ctx: AppContext) {
  const cfg = { config: { permission: "admin.accounts" as const } };

  const messageOf = (request: FastifyRequest, e: ContactPointError) => {
    const t = viewContext(request).t;
    if (e === "email") return { field: "email", message: t("rc.error.email") };
    if (e === "duplicate") return { field: "province", message: t("rc.error.duplicate") };
    return { field: "province", message: t("rc.error.province") };
  };

  async function renderList(request: FastifyRequest, reply: FastifyReply, form: ContactFormState = emptyContactForm(), status = 200) {
    const [rows, provinces] = await Promise.all([contactPoints(ctx), provinceChoices(ctx)]);
    const done = (request.query as Record<string, string | undefined>).done;
    const notice = status === 200 && done && done in DONE ? viewContext(request).t(DONE[done as keyof typeof DONE]) : undefined;
    return sendPage(reply, h(ContactPointsPage, { ctx: viewContext(request), rows, provinces, uncovered: uncoveredProvinces(provinces, rows), form, notice }), status);
  }

  app.get("/admin/regional-contacts", cfg, async (request, reply) => renderList(request, reply));

  app.post("/admin/regional-contacts", cfg, async (request, reply) => {
    const raw = bodyOf(request);
    const values = { email: typed(raw, "email", 254), province: typed(raw, "province", 100) };
    const result = await addContactPoint(ctx, whoOf(request), { email: values.email, province: provinceOf(values.province) });
    if (!result.ok) return renderList(request, reply, { values, errors: result.errors.map((e) => messageOf(request, e)) }, 400);
    return reply.redirect("/admin/regional-contacts?done=added", 303);
  });

  app.get("/admin/regional-contacts/:id", cfg, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const row = p.success ? await contactPoint(ctx, p.data.id) : undefined;
    if (!row) return sendError(request, reply, 404);
    return sendPage(reply, h(ContactPointPage, { ctx: viewContext(request), row, provinces: await provinceChoices(ctx), form: emptyContactForm() }));
  });

  app.post("/admin/regional-contacts/:id", cfg, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const province = typed(bodyOf(request), "province", 100);
    const result = await changeContactPoint(ctx, whoOf(request), p.data.id, { province: provinceOf(province) });
    if (!result.ok && result.errors.includes("not_found")) return sendError(request, reply, 404);
    if (!result.ok) {
      const row = await contactPoint(ctx, p.data.id);
      if (!row) return sendError(request, reply, 404);
      const form = { values: { province }, errors: result.errors.map((e) => messageOf(request, e)) };
      return sendPage(reply, h(ContactPointPage, { ctx: viewContext(request), row, provinces: await provinceChoices(ctx), form }), 400);
    }
    return reply.redirect(`/admin/regional-contacts?done=${result.changed ? "changed" : "unchanged"}`, 303);
  });

  app.post("/admin/regional-contacts/:id/end", cfg, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success || !(await endContactPoint(ctx, whoOf(request), p.data.id))) return sendError(request, reply, 404);
    return reply.redirect("/admin/regional-contacts?done=ended", 303);
  });
}
