import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../audit";
import type { AppContext } from "../context";
import type { Actor } from "../policy/actor";
import { sendError } from "../web/app";
import { actorOf, cookieOptions, endSession, loadSessionWithAccount, pendingApprovalsFor, rotateSession, SESSION_COOKIE, type SessionRow } from "./session";

const mayDecideRoles = (actor: Actor) => actor.isAdmin || actor.memberships.some((m) => m.role === "chair" || m.role === "coordinator");

/** Double-submit cookie for visitors without a session (the login form itself). */
export const ANON_CSRF_COOKIE = "__Host-schakel_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function setSessionCookie(reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, cookieOptions);
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, cookieOptions);
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * onRequest: finds the session from the cookie, rotates it when marked, and sets request.actor
 * (only for a fully logged-in session of an active account).
 * preHandler (body parsed by then): CSRF check on every state-changing request.
 */
export function registerAuthHooks(app: FastifyInstance, ctx: AppContext) {
  app.decorateRequest("session", null);
  app.addHook("onRequest", async (request, reply) => {
    // One statement: the session, its account, roles and today's memberships (session.ts).
    const found = await loadSessionWithAccount(ctx.database, ctx.config, request.cookies[SESSION_COOKIE]);
    let session = found?.session ?? null;
    if (session?.rotate) {
      const rotated = await rotateSession(ctx.database.db, session);
      setSessionCookie(reply, rotated.token);
      session = rotated.session;
    }
    request.session = session;
    if (session?.stage === "full") {
      request.actor = found?.account ? actorOf(session, found.account) : null;
      if (!request.actor) {
        // Account disabled (or gone) since login: the session ends now.
        await endSession(ctx.database.db, session.id);
        request.session = null;
        clearSessionCookie(reply);
      } else if (mayDecideRoles(request.actor) && !request.url.startsWith("/api/")) {
        // The navigation's count of role requests awaiting this person (decision 0049): pages only, and
        // only for those who can decide, so the session statement of every request stays lean (issue 9).
        request.actor.pendingApprovals = await pendingApprovalsFor(ctx.database, request.actor.userId);
      }
    }
    let anon: string | undefined;
    request.csrfTokenForView = () => {
      if (request.session) return request.session.csrf_token;
      anon ??= request.cookies[ANON_CSRF_COOKIE];
      if (!anon || anon.length < 32 || anon.length > 100) {
        anon = randomBytes(32).toString("base64url");
        reply.setCookie(ANON_CSRF_COOKIE, anon, cookieOptions);
      }
      return anon;
    };
  });

  app.addHook("preHandler", async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    // A signed server-to-server request (route config, allow-listed below): no cookie of ours is used there.
    if (request.routeOptions.config?.csrf === "signed-request" && CSRF_EXEMPT_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
    if (csrfValid(request)) return;
    await audit.record(request, { action: "csrf.check", resourceType: "route", resourceId: `${request.method} ${request.routeOptions.url ?? "?"}`, outcome: "denied" });
    return sendError(request, reply, 403);
  });
}

/**
 * The routes allowed to skip the CSRF check (route config `csrf: "signed-request"`): both the config and
 * this list must name a route, and a test (src/platform/auth/csrf-exempt.test.ts) fails on any other.
 * - OpenID Connect Back-Channel Logout: the provider's call carries a signed Logout Token (decision 0038).
 */
export const CSRF_EXEMPT_ROUTES: ReadonlySet<string> = new Set(["POST /login/oidc/backchannel-logout"]);

export function csrfValid(request: FastifyRequest): boolean {
  const body = request.body as Record<string, unknown> | undefined;
  const sent = (typeof body === "object" && body && typeof body._csrf === "string" ? body._csrf : undefined) ?? request.headers["x-csrf-token"];
  if (typeof sent !== "string" || sent.length === 0) return false;
  const expected = request.session?.csrf_token ?? request.cookies[ANON_CSRF_COOKIE];
  return typeof expected === "string" && expected.length >= 32 && equal(sent, expected);
}

declare module "fastify" {
  interface FastifyRequest {
    session: SessionRow | null;
  }
}
