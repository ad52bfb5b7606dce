import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, login } from "../../../test/support/auth";
import { activeDialects, type TestContext } from "../../../test/support/db";
import { FORM, logoutAtProvider, type NextLogin, POST_LOGOUT, ProviderJar, providerUrlOf, type TestProvider, throughProvider, startProviderApp, stopProviderApp } from "../../../test/support/oidc-provider";
import { SESSION_COOKIE } from "../../platform/auth/session";
import { LOGOUT_STATE_COOKIE } from "./sso-logout";
import { updateUser } from "./store";

/**
 * Logout of a session that came in through single sign-on continues at the provider
 * (OpenID Connect RP-Initiated Logout 1.0, decision 0036), against a REAL oidc-provider:
 * Schakel's session ends first (audited, as before), then the browser goes to the provider's
 * end_session_endpoint with client_id, post_logout_redirect_uri and state (no id_token_hint).
 * A password session's logout is unchanged; without an end_session_endpoint it stays local.
 */
for (const dialect of activeDialects()) {
  describe(`logout at the OpenID provider [${dialect}]`, () => {
    const next: { current: NextLogin } = { current: { sub: "nobody" } };
    let op: TestProvider;
    let ctx: TestContext;
    let app: FastifyInstance;

    beforeAll(async () => {
      ({ op, ctx, app } = await startProviderApp(dialect, next));
    }, 60_000);
    afterAll(() => stopProviderApp({ op, ctx, app }));

    const inject = async (jar: CookieJar, opts: { method: "GET" | "POST"; url: string; form?: Record<string, string>; json?: boolean }) => {
      const res = await app.inject({
        method: opts.method,
        url: opts.url,
        headers: { cookie: jar.header(), ...(opts.form ? FORM : {}), ...(opts.json ? { accept: "application/json" } : {}) },
        ...(opts.form ? { payload: new URLSearchParams(opts.form).toString() } : {}),
      });
      jar.take(res);
      return res;
    };
    const me = (jar: CookieJar) => app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } });

    async function linkedUser(sub: string) {
      const user = await createUser(ctx);
      await updateUser(ctx.database.db, user.id, { oidc_issuer: op.issuer, oidc_subject: sub });
      return user;
    }

    /** An SSO login in a browser whose provider cookies are `provider` (the provider's session). */
    async function ssoLogin(login: NextLogin, provider: ProviderJar) {
      next.current = login;
      const jar = new CookieJar();
      const page = await inject(jar, { method: "GET", url: "/login" });
      const start = await inject(jar, { method: "POST", url: "/login/oidc", form: { _csrf: csrfFromHtml(page.body), next: "/account" } });
      const asked = op.interactions();
      const at = await throughProvider(providerUrlOf(start), provider);
      const res = await inject(jar, { method: "GET", url: `/login/oidc/callback${at.search}` });
      expect(res.headers.refresh).toBe("0;url=/account");
      return { jar, askedCredentials: op.interactions() > asked };
    }

    /** The logout button: a CSRF-checked form POST from a page of the app. */
    async function logout(jar: CookieJar, json = false) {
      const page = await inject(jar, { method: "GET", url: "/account" });
      expect(page.statusCode).toBe(200);
      return inject(jar, { method: "POST", url: "/logout", form: { _csrf: csrfFromHtml(page.body) }, json });
    }

    const logoutAudits = async (userId: string) =>
      (await ctx.database.db.selectFrom("audit_entry").select("outcome").where("action", "=", "logout").where("resource_id", "=", userId).execute()).map((a) => a.outcome);
    const sessionsOf = async (userId: string) => ctx.database.db.selectFrom("session").select("id").where("user_id", "=", userId).execute();

    it("an SSO session's logout ends Schakel's session (audited) and sends the browser to the provider's end-session URL; confirming there ends the provider's session", async () => {
      const user = await linkedUser("sub-logout");
      const provider = new ProviderJar();
      const first = await ssoLogin({ sub: "sub-logout", amr: ["mfa"] }, provider);
      expect(first.askedCredentials).toBe(true);
      // The provider's session is real: a second login in the same browser is not asked for credentials.
      const second = await ssoLogin({ sub: "sub-logout", amr: ["mfa"] }, provider);
      expect(second.askedCredentials).toBe(false);
      expect((await me(second.jar)).json().id).toBe(user.id);
      await inject(first.jar, { method: "POST", url: "/account/sessions/end-all", form: { _csrf: (await me(first.jar)).json().csrf_token } });
      const again = await ssoLogin({ sub: "sub-logout", amr: ["mfa"] }, provider);
      expect(again.askedCredentials).toBe(false);

      const res = await logout(again.jar);
      // A page with a Refresh header and a link, not a 303 (CSP form-action 'self' blocks a redirect after our form POST).
      expect(res.body).toContain("U bent afgemeld bij Schakel. U wordt doorgestuurd naar Test-IdP, om u ook daar af te melden.");
      const to = new URL(providerUrlOf(res));
      expect(to.origin + to.pathname).toBe(`${op.issuer}/session/end`);
      expect(to.searchParams.get("client_id")).toBe("schakel");
      expect(to.searchParams.get("post_logout_redirect_uri")).toBe(POST_LOGOUT);
      expect(to.searchParams.get("id_token_hint")).toBeNull();
      const state = to.searchParams.get("state");
      expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The state comes back to /logged-out; this browser keeps it in a short-lived cookie.
      const cookie = [res.headers["set-cookie"]].flat().find((c) => String(c).startsWith(`${LOGOUT_STATE_COOKIE}=`));
      for (const attr of [`${LOGOUT_STATE_COOKIE}=${state}`, "Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"]) expect(cookie).toContain(attr);
      // Schakel's session ended first, with its audit entry, whatever happens at the provider.
      expect(again.jar.get(SESSION_COOKIE)).toBeUndefined();
      expect((await me(again.jar)).statusCode).toBe(401);
      expect(await sessionsOf(user.id)).toEqual([]);
      expect(await logoutAudits(user.id)).toEqual(["success"]);

      // At the provider: confirm, and it sends the browser back with the state.
      const back = await logoutAtProvider(to.href, provider, "yes");
      expect(back.origin + back.pathname).toBe(POST_LOGOUT);
      expect(back.searchParams.get("state")).toBe(state);
      const page = await inject(again.jar, { method: "GET", url: `/logged-out${back.search}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("U bent afgemeld bij Schakel.");
      expect(page.body).toContain('href="/login"');
      // The page's language links keep the state: the page shows again, in French.
      const fr = await inject(again.jar, { method: "GET", url: `/logged-out${back.search}&lang=fr` });
      expect(fr.body).toContain("Vous êtes déconnecté de Schakel.");
      // The provider's session has ended: the next SSO login in this browser asks for credentials again.
      const after = await ssoLogin({ sub: "sub-logout", amr: ["mfa"] }, provider);
      expect(after.askedCredentials).toBe(true);
      expect((await me(after.jar)).json().id).toBe(user.id);
    });

    it("declining at the provider keeps the provider's session; Schakel's session has ended anyway", async () => {
      const user = await linkedUser("sub-decline");
      const provider = new ProviderJar();
      const { jar } = await ssoLogin({ sub: "sub-decline", amr: ["mfa"] }, provider);
      const res = await logout(jar);
      const back = await logoutAtProvider(providerUrlOf(res), provider, "no");
      expect(back.origin + back.pathname).toBe(POST_LOGOUT);
      expect((await me(jar)).statusCode).toBe(401);
      expect(await sessionsOf(user.id)).toEqual([]);
      const after = await ssoLogin({ sub: "sub-decline", amr: ["mfa"] }, provider);
      expect(after.askedCredentials).toBe(false);
    });

    it("JSON logout of an SSO session answers with the end-session URL", async () => {
      await linkedUser("sub-json");
      const { jar } = await ssoLogin({ sub: "sub-json", amr: ["mfa"] }, new ProviderJar());
      const res = await logout(jar, true);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.ok).toBe(true);
      const to = new URL(body.end_session_url);
      expect(to.origin).toBe(op.issuer);
      expect(to.searchParams.get("state")).toBe(jar.get(LOGOUT_STATE_COOKIE));
      expect((await me(jar)).statusCode).toBe(401);
    });

    it("/logged-out shows its page only with the state this browser's logout sent", async () => {
      await linkedUser("sub-state");
      const { jar } = await ssoLogin({ sub: "sub-state", amr: ["mfa"] }, new ProviderJar());
      const res = await logout(jar);
      const state = new URL(providerUrlOf(res)).searchParams.get("state")!;
      const wrong = await app.inject({ method: "GET", url: "/logged-out?state=forged", headers: { cookie: jar.header() } });
      expect(wrong.statusCode).toBe(303);
      expect(wrong.headers.location).toBe("/login");
      const noCookie = await app.inject({ method: "GET", url: `/logged-out?state=${state}` });
      expect(noCookie.statusCode).toBe(303);
      expect(noCookie.headers.location).toBe("/login");
      const noState = await app.inject({ method: "GET", url: "/logged-out", headers: { cookie: jar.header() } });
      expect(noState.headers.location).toBe("/login");
      const ok = await app.inject({ method: "GET", url: `/logged-out?state=${state}&lang=en`, headers: { cookie: jar.header() } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain("You are logged out of Schakel.");
    });

    it("a password session's logout is unchanged: local, to /login, no state cookie (also for an account linked to the provider)", async () => {
      const user = await linkedUser("sub-password");
      const s = await login(app, user);
      const res = await logout(s.jar);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(String(res.headers["set-cookie"])).not.toContain(LOGOUT_STATE_COOKIE);
      expect((await me(s.jar)).statusCode).toBe(401);
      expect(await logoutAudits(user.id)).toEqual(["success"]);
      const json = await logout((await login(app, user)).jar, true);
      expect(json.json()).toEqual({ ok: true });
    });
  });

  describe(`logout with a provider without end_session_endpoint [${dialect}]`, () => {
    const next: { current: NextLogin } = { current: { sub: "nobody" } };
    let op: TestProvider;
    let ctx: TestContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      ({ op, ctx, app } = await startProviderApp(dialect, next, { rpLogout: false }));
    }, 60_000);
    afterAll(() => stopProviderApp({ op, ctx, app }));

    it("an SSO session's logout stays local (to /login), audited as before", async () => {
      const user = await createUser(ctx);
      await updateUser(ctx.database.db, user.id, { oidc_issuer: op.issuer, oidc_subject: "sub-local" });
      const discovery = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
      expect(discovery.end_session_endpoint).toBeUndefined();
      next.current = { sub: "sub-local", amr: ["mfa"] };
      const jar = new CookieJar();
      const page = await app.inject({ method: "GET", url: "/login" });
      jar.take(page);
      const start = await app.inject({ method: "POST", url: "/login/oidc", headers: { cookie: jar.header(), ...FORM }, payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), next: "/" }).toString() });
      jar.take(start);
      const at = await throughProvider(providerUrlOf(start));
      jar.take(await app.inject({ method: "GET", url: `/login/oidc/callback${at.search}`, headers: { cookie: jar.header() } }));
      const account = await app.inject({ method: "GET", url: "/account", headers: { cookie: jar.header() } });
      expect(account.statusCode).toBe(200);
      const res = await app.inject({ method: "POST", url: "/logout", headers: { cookie: jar.header(), ...FORM }, payload: new URLSearchParams({ _csrf: csrfFromHtml(account.body) }).toString() });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/login");
      expect(String(res.headers["set-cookie"])).not.toContain(LOGOUT_STATE_COOKIE);
      jar.take(res);
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } })).statusCode).toBe(401);
      const audits = await ctx.database.db.selectFrom("audit_entry").select("outcome").where("action", "=", "logout").where("resource_id", "=", user.id).execute();
      expect(audits.map((a) => a.outcome)).toEqual(["success"]);
    });
  });
}
