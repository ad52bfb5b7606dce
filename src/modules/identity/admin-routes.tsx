import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit, whoOf } from "../../platform/audit";
import { endAllSessions } from "../../platform/auth/session";
import { type AppContext, bound } from "../../platform/context";
import { LOCALES } from "../../platform/i18n/define";
import { sendError, wantsJson } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { mailPendingRequests } from "./approval-notify";
import { PLATFORM_ROLES } from "./migrations";
import { recoveryAdminRoutes } from "./recovery-routes";
import { FOUR_EYES_PLATFORM_ROLES, requestPlatformRole } from "./roles";
import { type RolesForm, roleRoutes, rolesViewOf } from "./roles-routes";
import { createAccount } from "./service";
import * as store from "./store";
import { issueToken } from "./tokens";
import { AccountDetailPage, AccountsPage, NewAccountPage } from "./views/admin";
import type { DetailsFormView } from "./views/recovery";
import { extend } from "../../platform/objects";

const newAccount = z.object({
  display_name: z.string().trim().min(1).max(120),
  email: z.string().trim().toLowerCase().email().max(254),
  roles: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(PLATFORM_ROLES))).default([]),
  /** The language of the account's mails and its UI default after login (decision 0035). */
  language: z.enum(LOCALES).default("nl"),
});
const idParam = z.object({ id: z.string().uuid() });
/** ?q= (part of a name or e-mail address) and ?page= (1-based); anything else falls back to the whole list's first page. */
const listQuery = z.object({
  q: z.preprocess((v) => (typeof v === "string" ? v.slice(0, 200) : ""), z.string()),
  page: z.preprocess((v) => (typeof v === "string" && /^\d{1,6}$/.test(v) ? Number(v) : 1), z.number().int()),
});

const linkUrl = (ctx: AppContext, kind: "invite" | "reset", token: string) =>
  `${ctx.config.SCHAKEL_PUBLIC_URL ?? ""}${kind === "invite" ? "/account/activate" : "/account/reset/new"}?token=${token}`;

/**
 * Account administration (permission admin.accounts). An administrator manages accounts, never
 * case content. Disabling an account or ending its sessions takes effect on the next request.
 */
export function adminRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;
  const cfg = { config: { permission: "admin.accounts" as const } };

  // The search term travels in the query string (a GET form that works without JavaScript); query
  // strings never reach the log (src/platform/log.ts) and pages send no referrer.
  app.get("/admin/accounts", cfg, async (request, reply) => {
    const q = listQuery.parse(request.query ?? {});
    return sendPage(reply, h(AccountsPage, { ctx: viewContext(request), list: await store.accountPage(db, { search: q.q, page: q.page }) }));
  });

  app.get("/admin/accounts/new", cfg, async (request, reply) =>
    sendPage(reply, h(NewAccountPage, { ctx: viewContext(request), values: { email: "", display_name: "", roles: [], language: "nl" }, errors: [] })),
  );

  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const parsed = newAccount.safeParse(raw);
    const t = viewContext(request).t;
    const errors: { field: string; message: string }[] = [];
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]);
        if (field === "email") errors.push({ field, message: t("id.admin.email_invalid") });
        if (field === "display_name") errors.push({ field, message: t("id.admin.name_required") });
        if (field === "language") errors.push({ field, message: t("lang.account.invalid") });
      }
    } else if (await store.findUserByEmail(db, parsed.data.email)) {
      errors.push({ field: "email", message: t("id.admin.email_taken") });
    }
    if (errors.length > 0 || !parsed.success) {
      if (wantsJson(request)) return reply.code(400).send({ error: "invalid", fields: errors });
      const values = { email: String(raw.email ?? "").slice(0, 254), display_name: String(raw.display_name ?? "").slice(0, 120), roles: ([] as unknown[]).concat(raw.roles ?? []).map(String), language: String(raw.language ?? "nl") };
      return sendPage(reply, h(NewAccountPage, { ctx: viewContext(request), values, errors }), 400);
    }
    // The account, its roles, its invitation link and the audit entry commit together or not at all
    // (a database lost halfway must not leave an account without its audit entry).
    const { id, token, requested } = await db.transaction().execute(async (trx) => {
      const tctx: AppContext = bound(ctx, trx);
      // admin and dpo are requested, not given (decision 0049): another administrator approves them.
      const now = parsed.data.roles.filter((r) => !FOUR_EYES_PLATFORM_ROLES.includes(r));
      const later = parsed.data.roles.filter((r) => FOUR_EYES_PLATFORM_ROLES.includes(r));
      const created = await createAccount(tctx, { email: parsed.data.email, displayName: parsed.data.display_name, status: "invited", platformRoles: now, language: parsed.data.language });
      const issued = await issueToken(tctx, created, "invite");
      await audit.record(request, { action: "account.create", resourceType: "account", resourceId: created, outcome: "success" }, { db: trx });
      for (const role of later) await requestPlatformRole(tctx, whoOf(request), created, role);
      return { id: created, token: issued, requested: later };
    });
    // Committed: the other administrators are told a request waits for them (decision 0056).
    if (requested.length > 0) await mailPendingRequests(ctx);
    const url = linkUrl(ctx, "invite", token);
    if (wantsJson(request)) return reply.code(201).send({ id, invitation_url: url, requested_roles: requested });
    return showDetail(request, reply, id, { kind: "invite", url });
  };
  app.post("/admin/accounts", cfg, create);
  app.post(
    "/api/v1/admin/accounts",
    extend(cfg, {
      schema: {
        tags: ["accounts"],
        summary: "Create an invited account; answers the single-use invitation link. admin and dpo in roles become PENDING requests (requested_roles) that another administrator approves at /admin/approvals (decision 0049)",
        body: z.toJSONSchema(z.object({ display_name: z.string(), email: z.string(), roles: z.array(z.enum(PLATFORM_ROLES)).optional(), language: z.enum(LOCALES).optional() })),
      },
    }),
    create,
  );

  const showDetail = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    link?: { kind: "invite" | "reset" | "mfa_reset"; url: string },
    language: { saved?: boolean; error?: string; status?: number } = {},
    roles: RolesForm & { status?: number } = {},
    details: DetailsFormView & { status?: number } = {},
  ) => {
    const user = await store.findUser(db, id);
    if (!user) return sendError(request, reply, 404);
    const [platformRoles, rolesView, sessions] = await Promise.all([
      store.platformRolesOf(db, id),
      rolesViewOf(ctx, id, request.actor?.userId, roles),
      db.selectFrom("session").select("id").where("user_id", "=", id).execute(),
    ]);
    return sendPage(
      reply,
      h(AccountDetailPage, {
        ctx: viewContext(request),
        user,
        roles: platformRoles,
        rolesView,
        sessions: sessions.length,
        link,
        self: user.id === request.actor?.userId,
        languageSaved: language.saved,
        languageError: language.error,
        details,
      }),
      language.status ?? roles.status ?? details.status,
    );
  };
  roleRoutes(app, ctx, (request, reply, id, roles, status) => showDetail(request, reply, id, undefined, {}, extend(roles, { status })));
  recoveryAdminRoutes(app, ctx, (request, reply, id, shown) => showDetail(request, reply, id, shown.link, {}, {}, Object.assign({}, shown.details, { status: shown.status })));

  app.get("/admin/accounts/:id", cfg, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    if (!p.success) return sendError(request, reply, 404);
    const saved = (request.query as { saved?: string } | undefined)?.saved;
    const rolesSaved = saved === "grant" || saved === "end" || saved === "platform_roles" || saved === "platform_requested" ? saved : undefined;
    const orgSearch = String((request.query as Record<string, unknown> | undefined)?.org_q ?? "").slice(0, 100);
    return showDetail(request, reply, p.data.id, undefined, { saved: saved === "language" }, { saved: rolesSaved, orgSearch }, { saved: saved === "details" });
  });

  // An administrator sets an account's language (decision 0035): the change and its audit entry commit together.
  app.post("/admin/accounts/:id/language", cfg, async (request, reply) => {
    const p = idParam.safeParse(request.params);
    const user = p.success ? await store.findUser(db, p.data.id) : undefined;
    if (!user) return sendError(request, reply, 404);
    const parsed = z.object({ language: z.enum(LOCALES) }).safeParse(request.body ?? {});
    if (!parsed.success) return showDetail(request, reply, user.id, undefined, { error: viewContext(request).t("lang.account.invalid"), status: 400 });
    await db.transaction().execute(async (trx) => {
      await store.updateUser(trx, user.id, { language: parsed.data.language });
      await audit.record(request, { action: "account.language.change", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
    });
    if (wantsJson(request)) return reply.send({ id: user.id, language: parsed.data.language });
    return reply.redirect(`/admin/accounts/${user.id}?saved=language`, 303);
  });

  const NOT_ON_SELF = new Set(["disable", "end-sessions"]);
  const act = (path: string, run: (tctx: AppContext, id: string) => Promise<{ kind: "invite" | "reset"; url: string } | undefined>) =>
    app.post(`/admin/accounts/:id/${path}`, cfg, async (request, reply) => {
      const p = idParam.safeParse(request.params);
      const user = p.success ? await store.findUser(db, p.data.id) : undefined;
      if (!user) return sendError(request, reply, 404);
      // An administrator cannot disable or log out their own account here (no lock-out of the last
      // administrator; their own sessions end through "log out everywhere" on the account page).
      if (NOT_ON_SELF.has(path) && user.id === request.actor?.userId) {
        await audit.record(request, { action: `account.${path}`, resourceType: "account", resourceId: user.id, outcome: "denied" });
        return sendError(request, reply, 400, viewContext(request).t("id.admin.not_self"));
      }
      // The change and its audit entry commit together or not at all.
      const link = await db.transaction().execute(async (trx) => {
        const made = await run(bound(ctx, trx), user.id);
        await audit.record(request, { action: `account.${path}`, resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
        return made;
      });
      if (wantsJson(request)) return { ok: true, ...(link ? { url: link.url } : {}) };
      if (link) return showDetail(request, reply, user.id, link);
      return reply.redirect(`/admin/accounts/${user.id}`, 303);
    });

  act("disable", async (tctx, id) => {
    await store.updateUser(tctx.database.db, id, { status: "disabled" });
    await endAllSessions(tctx.database.db, id);
    return undefined;
  });
  act("enable", async (tctx, id) => {
    const u = await store.findUser(tctx.database.db, id);
    await store.updateUser(tctx.database.db, id, { status: u?.password_hash ? "active" : "invited" });
    return undefined;
  });
  act("end-sessions", async (tctx, id) => {
    await endAllSessions(tctx.database.db, id);
    return undefined;
  });
  act("invite-link", async (tctx, id) => ({ kind: "invite", url: linkUrl(ctx, "invite", await issueToken(tctx, id, "invite")) }));
  act("reset-link", async (tctx, id) => ({ kind: "reset", url: linkUrl(ctx, "reset", await issueToken(tctx, id, "reset")) }));
}
