import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit, whoOf } from "../../platform/audit";
import type { AppContext } from "../../platform/context";
import { sendError, wantsJson } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { changeDetails, emailTakenByOther, resetSecondFactorAudited, sendNotice } from "./recovery";
import { accountView } from "./routes";
import * as store from "./store";
import { AccountPage } from "./views/account";
import { type DetailsFormView, type FieldErrors, MfaResetPage } from "./views/recovery";
import { extend } from "../../platform/objects";

const idParam = z.object({ id: z.string().uuid() });
const nameSchema = z.string().trim().min(1).max(120);
const emailSchema = z.string().trim().toLowerCase().email().max(254);
const text = (v: unknown, max: number) => (typeof v === "string" ? v : "").slice(0, max);

/** What the account page shows after one of these actions (admin-routes.tsx renders it). */
export type ShowDetail = (
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  shown: { link?: { kind: "mfa_reset"; url: string }; details?: DetailsFormView; status?: number },
) => Promise<unknown>;

/**
 * Administrator: reset a lost second factor (confirmation step first) and change an account's name
 * and e-mail address (decision 0045). Permission admin.accounts; each change commits with its audit
 * entry; the notice mail goes out after the commit, in the account's language, without a link.
 */
export function recoveryAdminRoutes(app: FastifyInstance, ctx: AppContext, show: ShowDetail) {
  const db = ctx.database.db;
  const cfg = { config: { permission: "admin.accounts" as const } };
  const target = async (request: FastifyRequest) => {
    const p = idParam.safeParse(request.params);
    return p.success ? store.findUser(db, p.data.id) : undefined;
  };
  const isSelf = (request: FastifyRequest, id: string) => id === request.actor?.userId;

  app.get("/admin/accounts/:id/mfa-reset", cfg, async (request, reply) => {
    const user = await target(request);
    if (!user) return sendError(request, reply, 404);
    if (isSelf(request, user.id)) return sendError(request, reply, 400, viewContext(request).t("id.admin.not_self"));
    return sendPage(reply, h(MfaResetPage, { ctx: viewContext(request), userId: user.id, displayName: user.display_name }));
  });

  app.post("/admin/accounts/:id/mfa-reset", cfg, async (request, reply) => {
    const user = await target(request);
    if (!user) return sendError(request, reply, 404);
    const t = viewContext(request).t;
    // Not on one's own account (as disable): another administrator does it after checking identity.
    if (isSelf(request, user.id)) {
      await audit.record(request, { action: "account.mfa.reset", resourceType: "account", resourceId: user.id, outcome: "denied" });
      return sendError(request, reply, 400, t("id.admin.not_self"));
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.identity_verified !== "yes") {
      const message = t("rec.confirm.required");
      if (wantsJson(request)) return reply.code(400).send({ error: "invalid", fields: [{ field: "identity_verified", message }] });
      return sendPage(reply, h(MfaResetPage, { ctx: viewContext(request), userId: user.id, displayName: user.display_name, error: message }), 400);
    }
    // Deleted factors, password, SSO link, ended sessions, the new link and the audit entries: one transaction.
    const token = await resetSecondFactorAudited(ctx, whoOf(request), user.id);
    await sendNotice(ctx, user, "rec.mail.subject", "rec.mail.body");
    const url = `${ctx.config.SCHAKEL_PUBLIC_URL ?? ""}/account/reset/new?token=${token}`;
    if (wantsJson(request)) return { ok: true, url };
    return show(request, reply, user.id, { link: { kind: "mfa_reset", url } });
  });

  app.post("/admin/accounts/:id/details", cfg, async (request, reply) => {
    const user = await target(request);
    if (!user) return sendError(request, reply, 404);
    const t = viewContext(request).t;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const name = nameSchema.safeParse(raw.display_name);
    const email = emailSchema.safeParse(raw.email);
    const errors: FieldErrors = [];
    if (!name.success) errors.push({ field: "display_name", message: t("det.name_invalid") });
    if (!email.success) errors.push({ field: "email", message: t("id.admin.email_invalid") });
    else if (await emailTakenByOther(db, email.data, user.id)) errors.push({ field: "email", message: t("id.admin.email_taken") });
    if (errors.length > 0 || !name.success || !email.success) {
      if (wantsJson(request)) return reply.code(400).send({ error: "invalid", fields: errors });
      const values = { display_name: text(raw.display_name, 120), email: text(raw.email, 254) };
      return show(request, reply, user.id, { details: { values, errors }, status: 400 });
    }
    const changed = await db.transaction().execute(async (trx) => {
      const c = await changeDetails(trx, user.id, { displayName: name.data, email: email.data });
      if (c && (c.nameChanged || c.emailChanged)) {
        await audit.record(request, { action: "account.details.change", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
      }
      // A new address ends every session of the person (decision 0050): audited with the change.
      if (c?.emailChanged) await audit.record(request, { action: "account.end-sessions", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
      return c;
    });
    // The old address learns of the change (an unexpected change is a takeover sign); the new one gets nothing.
    // An administrator who changed their own address ended their own session too: they log in again.
    if (changed?.emailChanged) await sendNotice(ctx, { email: changed.oldEmail, language: changed.language }, "det.mail.subject", "det.mail.body");
    if (wantsJson(request)) return { id: user.id, display_name: name.data, email: email.data };
    return reply.redirect(`/admin/accounts/${user.id}?saved=details`, 303);
  });
}

/** The person's own display name on /account (not the e-mail address: decision 0045). */
export function accountNameRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post("/account/name", { config: { permission: "authenticated" } }, async (request, reply) => {
    const actor = request.actor!;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const name = nameSchema.safeParse(raw.display_name);
    if (!name.success) {
      const message = viewContext(request).t("det.name_invalid");
      if (wantsJson(request)) return reply.code(400).send({ error: "invalid", fields: [{ field: "display_name", message }] });
      const view = await accountView(ctx, request);
      return sendPage(reply, h(AccountPage, { ctx: viewContext(request), view: extend(view, { nameValue: text(raw.display_name, 120), nameError: message }) }), 400);
    }
    await ctx.database.db.transaction().execute(async (trx) => {
      const c = await changeDetails(trx, actor.userId, { displayName: name.data });
      if (c?.nameChanged) await audit.record(request, { action: "account.details.change", resourceType: "account", resourceId: actor.userId, outcome: "success" }, { db: trx });
    });
    if (wantsJson(request)) return { id: actor.userId, display_name: name.data };
    return reply.redirect("/account?saved=name", 303);
  });
}
