import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { audit, type AuditWho } from "../../platform/audit";
import { clearSessionCookie, setSessionCookie } from "../../platform/auth/hooks";
import { finishOidcFlow, flowCookieOptions, OIDC_FLOW_COOKIE, oidcSettings, startOidcFlow } from "../../platform/auth/oidc";
import { createSession, endSession, rotateSession } from "../../platform/auth/session";
import { addressKey, recordFailure, waitSeconds } from "../../platform/auth/throttle";
import type { AppContext } from "../../platform/context";
import { safeLocalPath } from "../../platform/policy";
import { sendError } from "../../platform/web/app";
import { sendPage, viewContext } from "../../platform/web/view";
import { rememberAccountLanguage } from "./language-routes";
import { recentlyAuthenticated, whoOf } from "./routes";
import { findUser, findUserByOidc, updateUser } from "./store";
import { removeSsoLink } from "./sso-link";
import { leaveForProvider, LOGOUT_STATE_COOKIE } from "./sso-logout";
import { SsoAccountPage, SsoContinuePage, SsoLoggedOutPage } from "./sso-views";
import { LoginPage } from "./views/login";
import { extend } from "../../platform/objects";

/**
 * Single sign-on routes (decision 0014). Login: POST /login/oidc (CSRF-checked form) starts the
 * round trip, GET /login/oidc/callback finishes it. The account is found by the provider's
 * (issuer, subject) only; MFA counts as done only when the ID token's amr/acr says so, otherwise
 * the session goes to Schakel's own TOTP step. Linking: a logged-in user, freshly re-authenticated
 * with password and TOTP, links their own account (POST /account/sso/link). Removing the link
 * (POST /account/sso/unlink, also after re-authentication; an administrator's removal is in
 * sso-admin.routes.tsx) ends the account's sessions that came in through SSO (decision 0031).
 * Logout of an SSO session continues at the provider (RP-initiated logout, decision 0036): see
 * providerLogout and GET /logged-out.
 */
const providerName = (ctx: AppContext, request: FastifyRequest) => oidcSettings(ctx.config)?.providerName ?? viewContext(request).t("sso.provider.default");

/** Continue with a same-site navigation (see SsoContinuePage): the Strict session cookie then comes along. */
function continueTo(request: FastifyRequest, reply: FastifyReply, next: string) {
  const path = safeLocalPath(next);
  reply.header("refresh", `0;url=${path}`);
  return sendPage(reply, h(SsoContinuePage, { ctx: viewContext(request), next: path }));
}

function loginFailed(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, next: string, key: "sso.login.failed" | "sso.login.unavailable", status: number) {
  const t = viewContext(request).t;
  const page = h(LoginPage, { ctx: viewContext(request), email: "", next, oidc: true, oidcName: oidcSettings(ctx.config)?.providerName, ssoError: t(key) });
  return sendPage(reply, page, status);
}

export function ssoRoutes(app: FastifyInstance, ctx: AppContext) {
  const db = ctx.database.db;

  app.post("/login/oidc", { config: { permission: "public" } }, async (request, reply) => {
    if (!oidcSettings(ctx.config)) return sendError(request, reply, 404);
    const next = safeLocalPath((request.body as { next?: unknown } | undefined)?.next);
    if (request.actor) return reply.redirect(next, 303);
    const wait = await waitSeconds(db, [addressKey(request.ip)]);
    if (wait > 0) {
      await audit.recordFor(ctx, whoOf(request), { action: "login.oidc", resourceType: "account", resourceId: null, outcome: "denied" });
      reply.header("retry-after", String(wait));
      return loginFailed(ctx, request, reply, next, "sso.login.failed", 429);
    }
    let started: Awaited<ReturnType<typeof startOidcFlow>>;
    try {
      started = await startOidcFlow(ctx, { purpose: "login", nextPath: next });
    } catch {
      request.log.warn("single sign-on: provider discovery failed");
      return loginFailed(ctx, request, reply, next, "sso.login.unavailable", 503);
    }
    reply.setCookie(OIDC_FLOW_COOKIE, started.token, flowCookieOptions);
    return leaveForProvider(ctx, request, reply, started.url.href, "login");
  });

  app.get("/login/oidc/callback", { config: { permission: "public" } }, async (request, reply) => {
    if (!oidcSettings(ctx.config)) return sendError(request, reply, 404);
    reply.clearCookie(OIDC_FLOW_COOKIE, flowCookieOptions);
    const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
    const result = await finishOidcFlow(ctx, request.cookies[OIDC_FLOW_COOKIE], query);
    const flow = result.flow;
    if (flow?.purpose === "link") return finishLink(request, reply, result);
    const next = safeLocalPath(flow?.next_path);
    const who: AuditWho = whoOf(request);
    if (result.kind !== "ok") {
      await recordFailure(db, [addressKey(request.ip)]);
      await audit.recordFor(ctx, who, { action: "login.oidc", resourceType: "account", resourceId: null, outcome: "failure" });
      return loginFailed(ctx, request, reply, next, "sso.login.failed", 401);
    }
    // The provider's (issuer, subject), and nothing else: an e-mail claim is never consulted.
    const user = await findUserByOidc(db, result.issuer, result.subject);
    if (user?.status !== "active") {
      await recordFailure(db, [addressKey(request.ip)]);
      await audit.recordFor(ctx, extend(who, { userId: user?.id ?? null }), { action: "login.oidc", resourceType: "account", resourceId: user?.id ?? null, outcome: "failure" });
      return loginFailed(ctx, request, reply, next, "sso.login.failed", 401);
    }
    const stage = result.mfa ? "full" : user.totp_secret ? "mfa" : "enrol";
    // A new session (new id) for this login; a session the browser still had ends.
    if (request.session) await endSession(db, request.session.id);
    // The provider's session id goes on the row (and through every rotation): a back-channel
    // Logout Token naming it ends this session only (decision 0038).
    const created = await createSession(db, user.id, stage, "oidc", next, result.sid);
    // The provider's login is not a re-authentication for Schakel's own password and TOTP changes.
    await db.updateTable("session").set({ reauth_at: null }).where("id", "=", created.session.id).execute();
    created.session.reauth_at = null;
    setSessionCookie(reply, created.token);
    // A login the provider completed (MFA included): the account's language, unless the browser chose one (decision 0035).
    if (stage === "full") await rememberAccountLanguage(ctx, request, reply, user.id);
    await audit.recordFor(ctx, extend(who, { userId: user.id }), { action: "login.oidc", resourceType: "account", resourceId: user.id, outcome: "success" });
    if (result.mfa) await audit.recordFor(ctx, extend(who, { userId: user.id }), { action: "login.oidc.mfa", resourceType: "account", resourceId: user.id, outcome: "success" });
    request.session = created.session;
    return continueTo(request, reply, stage === "full" ? next : stage === "mfa" ? "/login/mfa" : "/account/mfa/setup");
  });

  /** Link callback: the flow row names the account and the re-authenticated session that started it. */
  async function finishLink(request: FastifyRequest, reply: FastifyReply, result: Awaited<ReturnType<typeof finishOidcFlow>>) {
    const flow = result.flow!;
    const who: AuditWho = extend(whoOf(request), { userId: flow.user_id });
    const fail = async () => {
      await audit.recordFor(ctx, who, { action: "account.oidc.link", resourceType: "account", resourceId: flow.user_id, outcome: "failure" });
      return continueTo(request, reply, "/account/sso?failed=1");
    };
    if (result.kind !== "ok" || !flow.user_id || !flow.session_id) return fail();
    const session = await db.selectFrom("session").selectAll().where("id", "=", flow.session_id).executeTakeFirst();
    const user = await findUser(db, flow.user_id);
    if (session?.user_id !== flow.user_id || session.stage !== "full" || session.auth_method !== "password" || user?.status !== "active") return fail();
    const holder = await findUserByOidc(db, result.issuer, result.subject);
    if (holder && holder.id !== user.id) return fail();
    // The link, the session's new id (a new way in is a privilege change) and the audit entry
    // commit together or not at all.
    const taken = new Error("linked elsewhere");
    const rotated = await db
      .transaction()
      .execute(async (trx) => {
        try {
          await updateUser(trx, user.id, { oidc_issuer: result.issuer, oidc_subject: result.subject });
        } catch {
          throw taken; // unique (issuer, subject): linked elsewhere in the meantime
        }
        const r = await rotateSession(trx, session);
        await audit.recordFor(ctx, who, { action: "account.oidc.link", resourceType: "account", resourceId: user.id, outcome: "success" }, { db: trx });
        return r;
      })
      .catch((e) => {
        if (e === taken) return null;
        throw e;
      });
    if (!rotated) return fail();
    setSessionCookie(reply, rotated.token);
    request.session = rotated.session;
    return continueTo(request, reply, "/account/sso");
  }

  // Back from the provider's logout: shown only with the state this browser's logout sent. The
  // cookie is left to expire (ten minutes), so the page's language links keep working.
  app.get("/logged-out", { config: { permission: "public" } }, async (request, reply) => {
    const expected = request.cookies[LOGOUT_STATE_COOKIE];
    const state = (request.query as { state?: unknown }).state;
    if (!expected || typeof state !== "string" || state !== expected) return reply.redirect("/login", 303);
    return sendPage(reply, h(SsoLoggedOutPage, { ctx: viewContext(request) }));
  });

  app.get("/account/sso", { config: { permission: "authenticated" } }, async (request, reply) => {
    const user = await findUser(db, request.actor!.userId);
    const failed = (request.query as { failed?: string }).failed === "1";
    const t = viewContext(request).t;
    return sendPage(
      reply,
      h(SsoAccountPage, {
        ctx: viewContext(request),
        configured: Boolean(oidcSettings(ctx.config)),
        name: providerName(ctx, request),
        linked: Boolean(user?.oidc_subject),
        issuer: user?.oidc_issuer,
        passwordSession: request.session?.auth_method === "password",
        error: failed ? t("sso.link.failed") : undefined,
      }),
    );
  });

  app.post("/account/sso/link", { config: { permission: "authenticated" } }, async (request, reply) => {
    const session = request.session!;
    if (!oidcSettings(ctx.config)) return sendError(request, reply, 404);
    // Only a password session may add a way in, and only right after password + TOTP again.
    if (session.auth_method !== "password") {
      await audit.record(request, { action: "account.oidc.link", resourceType: "account", resourceId: request.actor!.userId, outcome: "denied" });
      return sendError(request, reply, 403);
    }
    if (!recentlyAuthenticated(session.reauth_at)) return reply.redirect("/account/reauth?next=/account/sso", 303);
    let started: Awaited<ReturnType<typeof startOidcFlow>>;
    try {
      started = await startOidcFlow(ctx, { purpose: "link", userId: request.actor!.userId, sessionId: session.id, nextPath: "/account/sso" });
    } catch {
      request.log.warn("single sign-on: provider discovery failed");
      return reply.redirect("/account/sso?failed=1", 303);
    }
    reply.setCookie(OIDC_FLOW_COOKIE, started.token, flowCookieOptions);
    return leaveForProvider(ctx, request, reply, started.url.href, "login");
  });

  app.post("/account/sso/unlink", { config: { permission: "authenticated" } }, async (request, reply) => {
    if (!recentlyAuthenticated(request.session!.reauth_at)) return reply.redirect("/account/reauth?next=/account/sso", 303);
    // The link, the account's SSO sessions (decision 0031) and the audit entry commit together.
    await db.transaction().execute(async (trx) => {
      await removeSsoLink(trx, request.actor!.userId);
      await audit.record(request, { action: "account.oidc.unlink", resourceType: "account", resourceId: request.actor!.userId, outcome: "success" }, { db: trx });
    });
    // A session that came in through SSO has just ended with the others: log in with the password.
    if (request.session!.auth_method === "oidc") {
      clearSessionCookie(reply);
      return reply.redirect("/login", 303);
    }
    return reply.redirect("/account/sso", 303);
  });
}
