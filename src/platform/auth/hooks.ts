import { timingSafeEqual } from "node:crypto";
import { randomBytesPooled } from "../crypto/random";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../audit";
import type { AppContext } from "../context";
import type { Actor } from "../policy/actor";
import { sendError } from "../web/app";
import { actorOf, cookieOptions, endedSessionWithToken, endSession, loadSessionWithAccount, pendingApprovalsFor, rotateSession, SESSION_COOKIE, type SessionRow } from "./session";
import { endStash, saveStash, stashableFields } from "./stash";
import { RESUME_PATH, sendSessionEnded, stashRoutes } from "./stash-routes";

/** Sessions remembered for the choice of statement (decision 0079); all forgotten at once when full. */
const MAX_DECIDES = 10_000;
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
  // Decision 0079: whether the person of a session could decide role requests at its last request here,
  // by session id (the cookie's hash; memory only). It only picks the session statement: the page's
  // (with the navigation's count) or the API's (without). A wrong guess costs a statement, never a
  // wrong count: someone who now decides but was guessed not gets the count in a statement of its own.
  const decides = new Map<string, boolean>();
  const statementFor = (sessionId: string) => (decides.get(sessionId) === false ? "api" : "page");
  app.decorateRequest("session", null);
  app.decorateRequest("endedSession", null);
  app.decorateRequest("listToken", null);
  app.addHook("onRequest", async (request, reply) => {
    // A request reads the database as it is when it comes (decision 0076): not in a read turn begun
    // before it, whose snapshot could predate a change another process made before the request was sent.
    ctx.database.turns?.end();
    // One statement: the session, its account, roles and today's memberships (session.ts).
    const cookie = request.cookies[SESSION_COOKIE];
    const ended = { expired: null as SessionRow | null };
    const api = request.url.startsWith("/api/");
    // Decision 0088: a route whose reads are kept per case list token gets the token from this statement.
    const withListToken = request.routeOptions.config?.listToken === true;
    const found = await loadSessionWithAccount(ctx.database, ctx.config, cookie, Date.now(), ended, api ? "api" : statementFor, withListToken);
    request.listToken = found?.listToken ?? null;
    // A cookie that names no live session: its session ended (expired, logged out, ended by an
    // administrator); the expired row when still kept (decision 0057).
    if (cookie && !found) request.endedSession = ended;
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
        request.endedSession = { expired: null };
        clearSessionCookie(reply);
      } else if (!api) {
        // The navigation's count of role requests awaiting this person (decision 0049): pages only, and
        // only for those who can decide; read by the session statement itself (decision 0079). A session
        // rotated above keeps its person, so the count read with the old id is theirs.
        const decider = mayDecideRoles(request.actor);
        // Under the id the next request will bring (a rotated session's new one).
        if (decides.size >= MAX_DECIDES && !decides.has(session.id)) decides.clear();
        decides.set(session.id, decider);
        if (decider) request.actor.pendingApprovals = found?.pendingApprovals ?? (await pendingApprovalsFor(ctx.database, request.actor.userId));
      }
    }
    let anon: string | undefined;
    request.csrfTokenForView = () => {
      if (request.session) return request.session.csrf_token;
      anon ??= request.cookies[ANON_CSRF_COOKIE];
      if (!anon || anon.length < 32 || anon.length > 100) {
        anon = randomBytesPooled(32).toString("base64url");
        reply.setCookie(ANON_CSRF_COOKIE, anon, cookieOptions);
      }
      return anon;
    };
  });

  app.addHook("preHandler", async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    // A signed server-to-server request (route config, allow-listed below): no cookie of ours is used there.
    if (request.routeOptions.config?.csrf === "signed-request" && CSRF_EXEMPT_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return;
    if (csrfValid(request)) {
      // "Send again" from the resume page: the kept form is used up (and the marker is not the handler's).
      const body = request.body as Record<string, unknown> | undefined;
      if (body && typeof body === "object" && "_resume" in body) {
        const id = body._resume;
        delete body._resume;
        if (typeof id === "string" && id.length <= 100) await endStash(request, "resume", id);
      }
      return;
    }
    const after = await afterEndedSession(ctx, request);
    if (after === "resume") return reply.redirect(RESUME_PATH, 303);
    await audit.record(request, { action: "csrf.check", resourceType: "route", resourceId: `${request.method} ${request.routeOptions.url ?? "?"}`, outcome: "denied" });
    if (after === "kept" || after === "lost") {
      if (request.endedSession) clearSessionCookie(reply);
      return sendSessionEnded(request, reply, after === "kept");
    }
    return sendError(request, reply, 403);
  });

  stashRoutes(app, ctx);
}

/**
 * A state-changing request that failed the CSRF check, because its session ended (decision 0057)?
 * - The cookie names an ended session: "kept" when the form came from that session (its token) and its
 *   fields were stashed for the person, otherwise "lost". Either way the session-ended page, not 403.
 * - The cookie names a live session of a person who logged in again in this browser, and the token is
 *   that of their earlier session, now ended: the fields are stashed and, when fully logged in, the
 *   person goes straight to the resume page ("resume"); half logged in, "kept".
 * - Otherwise null: a plain CSRF failure (403). Runs only after a failed check: no cost on the normal path.
 */
async function afterEndedSession(ctx: AppContext, request: FastifyRequest): Promise<"kept" | "lost" | "resume" | null> {
  const sent = sentToken(request);
  let row: SessionRow | null;
  if (request.endedSession) {
    const expired = request.endedSession.expired;
    row = expired && sent && equal(sent, expired.csrf_token) ? expired : null;
    if (!row) return "lost";
  } else if (request.session && sent) {
    row = await endedSessionWithToken(ctx.database.db, ctx.config, request.session.user_id, sent);
    if (!row) return null;
  } else {
    return null;
  }
  const fields = stashableFields(request);
  if (!fields) return "lost";
  await saveStash(ctx, { userId: row.user_id, clientAddress: request.ip, correlationId: String(request.id) }, fields);
  // The ended row has done its work: it identified the person.
  await endSession(ctx.database.db, row.id);
  return request.actor ? "resume" : "kept";
}

const sentToken = (request: FastifyRequest): string | undefined => {
  const body = request.body as Record<string, unknown> | undefined;
  const sent = (typeof body === "object" && body && typeof body._csrf === "string" ? body._csrf : undefined) ?? request.headers["x-csrf-token"];
  return typeof sent === "string" && sent.length > 0 ? sent : undefined;
};

/**
 * The routes allowed to skip the CSRF check (route config `csrf: "signed-request"`): both the config and
 * this list must name a route, and a test (src/platform/auth/csrf-exempt.test.ts) fails on any other.
 * - OpenID Connect Back-Channel Logout: the provider's call carries a signed Logout Token (decision 0038).
 */
export const CSRF_EXEMPT_ROUTES: ReadonlySet<string> = new Set(["POST /login/oidc/backchannel-logout"]);

export function csrfValid(request: FastifyRequest): boolean {
  const sent = sentToken(request);
  if (!sent) return false;
  const expected = request.session?.csrf_token ?? request.cookies[ANON_CSRF_COOKIE];
  return typeof expected === "string" && expected.length >= 32 && equal(sent, expected);
}

declare module "fastify" {
  interface FastifyRequest {
    session: SessionRow | null;
    /** Set when the session cookie names no live session; `expired` is the ended row while still kept (decision 0057). */
    endedSession: { expired: SessionRow | null } | null;
    /**
     * The case list token as the session statement read it (decision 0088): only on routes whose config asks
     * for it (`listToken: true`) and with a live session; null otherwise.
     */
    listToken: string | null;
  }
}
