import type { FastifyInstance, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { audit, type AuditWho } from "../../platform/audit";
import { clearSessionCookie, setSessionCookie } from "../../platform/auth/hooks";
import { oidcSettings } from "../../platform/auth/oidc";
import { endAllSessions, endSession, listSessions, REAUTH_MINUTES } from "../../platform/auth/session";
import type { AppContext } from "../../platform/context";
import { safeLocalPath } from "../../platform/policy";
import { wantsJson } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { rememberAccountLanguage } from "./language-routes";
import { finishEnrolment, passwordStep, secondFactorStep, startEnrolment, unusedRecoveryCodes } from "./login";
import { findUser } from "./store";
import { ssoLinkOf } from "./sso-link";
import { leaveForProvider, providerLogout } from "./sso-logout";
import { AccountPage, type AccountView } from "./views/account";
import { EnrolPage, LoginPage, MfaPage, RecoveryCodesPage } from "./views/login";
import { extend } from "../../platform/objects";

const loginBody = z.object({ email: z.string().max(254).default(""), password: z.string().max(1024).default(""), next: z.string().optional() });
const codeBody = z.object({ code: z.string().max(40).default("") });

export const whoOf = (request: FastifyRequest): AuditWho => ({ actor: request.actor, clientAddress: request.ip, correlationId: String(request.id) });
const oidcEnabled = (ctx: AppContext) => oidcSettings(ctx.config) !== null;
const oidcName = (ctx: AppContext) => oidcSettings(ctx.config)?.providerName;

/** Where a finished login goes: the remembered local path, or the start page. */
const afterLogin = (next: string | null | undefined) => safeLocalPath(next ?? "/");

/**
 * Login flow routes are "public": they work on a half-finished session (stage mfa or enrol) and
 * check it themselves. Everything about the account itself needs "authenticated".
 */
export function loginRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get("/login", { config: { permission: "public" } }, async (request, reply) => {
    if (request.actor) return reply.redirect(afterLogin((request.query as { next?: string }).next), 303);
    const next = safeLocalPath((request.query as { next?: string }).next);
    return sendPage(reply, h(LoginPage, { ctx: viewContext(request), email: "", next, oidc: oidcEnabled(ctx), oidcName: oidcName(ctx) }));
  });

  app.post("/login", { config: { permission: "public" } }, async (request, reply) => {
    const body = loginBody.safeParse(request.body ?? {});
    const input = body.success ? body.data : { email: "", password: "", next: "/" };
    const next = safeLocalPath(input.next);
    const result = await passwordStep(ctx, whoOf(request), { email: input.email, password: input.password, next });
    const json = wantsJson(request);
    if (result.kind !== "ok") {
      const t = viewContext(request).t;
      const message = result.kind === "throttled" ? t("id.login.throttled", { seconds: result.waitSeconds }) : t("id.login.invalid");
      const status = result.kind === "throttled" ? 429 : 401;
      if (result.kind === "throttled") reply.header("retry-after", String(result.waitSeconds));
      if (json) return reply.code(status).send({ error: result.kind, message });
      return sendPage(reply, h(LoginPage, { ctx: viewContext(request), email: input.email.slice(0, 254), next, error: message, oidc: oidcEnabled(ctx), oidcName: oidcName(ctx) }), status);
    }
    if (request.session) await endSession(ctx.database.db, request.session.id);
    setSessionCookie(reply, result.token);
    const step = result.session.stage === "mfa" ? "/login/mfa" : "/account/mfa/setup";
    if (json) return { next: step, csrf_token: result.session.csrf_token };
    return reply.redirect(step, 303);
  });

  app.get("/login/mfa", { config: { permission: "public" } }, async (request, reply) => {
    if (request.session?.stage !== "mfa") return reply.redirect("/login", 303);
    return sendPage(reply, h(MfaPage, { ctx: viewContext(request) }));
  });

  app.post("/login/mfa", { config: { permission: "public" } }, async (request, reply) => {
    const session = request.session;
    const json = wantsJson(request);
    const t = viewContext(request).t;
    if (session?.stage !== "mfa") {
      if (json) return reply.code(401).send({ error: "expired", message: t("id.mfa.expired") });
      return reply.redirect("/login", 303);
    }
    const code = codeBody.safeParse(request.body ?? {});
    const result = await secondFactorStep(ctx, whoOf(request), session, code.success ? code.data.code : "");
    if (result.kind !== "ok") {
      const message = result.kind === "throttled" ? t("id.login.throttled", { seconds: result.waitSeconds }) : t("id.mfa.invalid");
      const status = result.kind === "throttled" ? 429 : 401;
      if (json) return reply.code(status).send({ error: result.kind, message });
      return sendPage(reply, h(MfaPage, { ctx: viewContext(request), error: message }), status);
    }
    setSessionCookie(reply, result.token);
    await rememberAccountLanguage(ctx, request, reply, result.session.user_id);
    if (json) return { next: afterLogin(result.session.next_path), csrf_token: result.session.csrf_token };
    return reply.redirect(afterLogin(result.session.next_path), 303);
  });

  // Enrolment: during a first login (stage enrol), or later from the account page after re-authentication.
  const enrolAllowed = (request: FastifyRequest) => {
    const s = request.session;
    if (!s) return false;
    if (s.stage === "enrol") return true;
    return s.stage === "full" && Boolean(request.actor) && recentlyAuthenticated(s.reauth_at);
  };

  app.get("/account/mfa/setup", { config: { permission: "public" } }, async (request, reply) => {
    if (!enrolAllowed(request)) return reply.redirect(request.actor ? "/account/reauth?next=/account/mfa/setup" : "/login", 303);
    const { secret, qr } = await startEnrolment(ctx, request.session!);
    return sendPage(reply, h(EnrolPage, { ctx: viewContext(request), qr, secret }));
  });

  app.post("/account/mfa/setup", { config: { permission: "public" } }, async (request, reply) => {
    if (!enrolAllowed(request)) return reply.redirect("/login", 303);
    const code = codeBody.safeParse(request.body ?? {});
    const result = await finishEnrolment(ctx, whoOf(request), request.session!, code.success ? code.data.code : "");
    if (result.kind !== "ok") {
      const { secret, qr } = await startEnrolment(ctx, request.session!);
      return sendPage(reply, h(EnrolPage, { ctx: viewContext(request), qr, secret, error: viewContext(request).t("id.enrol.invalid") }), 400);
    }
    setSessionCookie(reply, result.token);
    await rememberAccountLanguage(ctx, request, reply, result.session.user_id);
    // Show the codes in this response (never stored in clear): with the new session's token for the layout.
    request.session = result.session;
    request.actor = null;
    const next = afterLogin(result.session.next_path);
    if (wantsJson(request)) return { recovery_codes: result.recoveryCodes, next, csrf_token: result.session.csrf_token };
    return sendPage(reply, h(RecoveryCodesPage, { ctx: viewContext(request), codes: result.recoveryCodes, next }));
  });

  app.post("/logout", { config: { permission: "authenticated" } }, async (request, reply) => {
    // The session's end and its audit entry commit together.
    await ctx.database.db.transaction().execute(async (trx) => {
      await endSession(trx, request.actor!.sessionId);
      await audit.record(request, { action: "logout", resourceType: "account", resourceId: request.actor!.userId, outcome: "success" }, { db: trx });
    });
    clearSessionCookie(reply);
    // An SSO session continues to the provider's logout (decision 0036); a password session stays local.
    const atProvider = await providerLogout(ctx, request, reply, request.session?.auth_method);
    if (wantsJson(request)) return atProvider ? { ok: true, end_session_url: atProvider } : { ok: true };
    if (atProvider) return leaveForProvider(ctx, request, reply, atProvider, "logout");
    return reply.redirect("/login", 303);
  });

  app.post("/account/sessions/end-all", { config: { permission: "authenticated" } }, async (request, reply) => {
    const n = await ctx.database.db.transaction().execute(async (trx) => {
      const ended = await endAllSessions(trx, request.actor!.userId);
      await audit.record(request, { action: "session.end_all", resourceType: "account", resourceId: request.actor!.userId, outcome: "success" }, { db: trx });
      return ended;
    });
    clearSessionCookie(reply);
    if (wantsJson(request)) return { ended: n };
    return reply.redirect("/login", 303);
  });

  app.get("/account", { config: { permission: "authenticated" } }, async (request, reply) => {
    const view = await accountView(ctx, request);
    const saved = (request.query as { saved?: string }).saved;
    return sendPage(reply, h(AccountPage, { ctx: viewContext(request), view: extend(view, { languageSaved: saved === "language", nameSaved: saved === "name" }) }));
  });

  app.get(
    "/api/v1/me",
    {
      config: { permission: "authenticated" },
      schema: {
        tags: ["account"],
        summary: "The logged-in account, its roles and the CSRF token for state-changing calls",
        response: {
          200: z.toJSONSchema(
            z.object({
              id: z.string(),
              display_name: z.string(),
              platform_roles: z.array(z.string()),
              memberships: z.array(z.object({ livc_id: z.string(), role: z.string() })),
              csrf_token: z.string(),
            }),
          ),
        },
      },
    },
    async (request) => {
      const a = request.actor!;
      return {
        id: a.userId,
        display_name: a.displayName,
        platform_roles: [a.isAdmin && "admin", a.isRegionalAnalyst && "regional_analyst", a.isDpo && "dpo"].filter(Boolean),
        memberships: a.memberships.map((m) => ({ livc_id: m.livcId, role: m.role })),
        csrf_token: request.session!.csrf_token,
      };
    },
  );
}

/** What /account shows (also re-shown by POST /account/language with an error). */
export async function accountView(ctx: AppContext, request: FastifyRequest): Promise<AccountView> {
  const actor = request.actor!;
  const user = await findUser(ctx.database.db, actor.userId);
  const sessions = await listSessions(ctx.database.db, actor.userId, ctx.config);
  return { email: user?.email ?? "", actor, livcNames: {}, sessions, recoveryLeft: await unusedRecoveryCodes(ctx, actor.userId), sso: ssoLinkOf(user), language: user?.language ?? "nl" };
}

export const recentlyAuthenticated = (reauthAt: string | null, now = Date.now()) =>
  Boolean(reauthAt && now - Date.parse(reauthAt) < REAUTH_MINUTES * 60_000);
