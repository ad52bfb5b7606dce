import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, freshTotp, login } from "../../../test/support/auth";
import { activeDialects, type TestContext } from "../../../test/support/db";
import { CLIENT_SECRET, FORM, type NextLogin, providerUrlOf, REDIRECT, type startProvider, startProviderApp, stopProviderApp, throughProvider } from "../../../test/support/oidc-provider";
import { OIDC_FLOW_COOKIE } from "../../platform/auth/oidc";
import { SESSION_COOKIE } from "../../platform/auth/session";
import { findUser, updateUser } from "./store";

/**
 * Single sign-on against a REAL OpenID provider (oidc-provider 9) on a loopback port
 * (test/support/oidc-provider.ts). Logout at the provider: sso-logout.test.ts.
 */
for (const dialect of activeDialects()) {
  describe(`single sign-on with a real OpenID provider [${dialect}]`, () => {
    const next: { current: NextLogin } = { current: { sub: "nobody" } };
    let op: Awaited<ReturnType<typeof startProvider>>;
    let ctx: TestContext;
    let app: FastifyInstance;

    beforeAll(async () => {
      ({ op, ctx, app } = await startProviderApp(dialect, next));
    }, 60_000);
    afterAll(() => stopProviderApp({ op, ctx, app }));

    const inject = async (jar: CookieJar, opts: { method: "GET" | "POST"; url: string; form?: Record<string, string> }) => {
      const res = await app.inject({
        method: opts.method,
        url: opts.url,
        headers: { cookie: jar.header(), ...(opts.form ? FORM : {}) },
        ...(opts.form ? { payload: new URLSearchParams(opts.form).toString() } : {}),
      });
      jar.take(res);
      return res;
    };

    /** The login page's SSO button: a CSRF-checked form POST that sends the browser to the provider. */
    async function startLogin(jar: CookieJar, returnTo = "/"): Promise<LightMyRequestResponse> {
      const page = await inject(jar, { method: "GET", url: `/login?next=${encodeURIComponent(returnTo)}` });
      expect(page.body).toContain("Aanmelden met Test-IdP");
      const res = await inject(jar, { method: "POST", url: "/login/oidc", form: { _csrf: csrfFromHtml(page.body), next: returnTo } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("U wordt doorgestuurd naar Test-IdP om u aan te melden.");
      return res;
    }

    const callback = (jar: CookieJar, at: URL) => inject(jar, { method: "GET", url: `/login/oidc/callback${at.search}` });

    async function ssoLogin(login: NextLogin, returnTo = "/") {
      next.current = login;
      const jar = new CookieJar();
      const start = await startLogin(jar, returnTo);
      const at = await throughProvider(providerUrlOf(start));
      const flowCookie = jar.get(OIDC_FLOW_COOKIE)!;
      const res = await callback(jar, at);
      return { jar, res, at, flowCookie };
    }

    const me = (jar: CookieJar) => app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } });
    const auditOf = (action: string, outcome: "success" | "failure" | "denied") =>
      ctx.database.db.selectFrom("audit_entry").select(["resource_id", "correlation_id"]).where("action", "=", action).where("outcome", "=", outcome).execute();

    async function linkedUser(sub: string) {
      const user = await createUser(ctx);
      await updateUser(ctx.database.db, user.id, { oidc_issuer: op.issuer, oidc_subject: sub });
      return user;
    }

    it("round trip: PKCE S256, state and nonce go to the provider, a linked user with amr mfa is logged in on a new session", async () => {
      const user = await linkedUser("sub-full");
      const jar = new CookieJar();
      await inject(jar, { method: "GET", url: "/login" });
      next.current = { sub: "sub-full", amr: ["pwd", "mfa"] };
      const start = await startLogin(jar, "/account?tab=1");
      const authUrl = new URL(providerUrlOf(start));
      expect(authUrl.origin).toBe(op.issuer);
      expect(authUrl.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authUrl.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(authUrl.searchParams.get("state")).toBeTruthy();
      expect(authUrl.searchParams.get("nonce")).toBeTruthy();
      expect(authUrl.searchParams.get("redirect_uri")).toBe(REDIRECT);
      // The verifier never leaves the server; the browser holds only an opaque flow cookie.
      const flow = await ctx.database.db.selectFrom("oidc_flow").selectAll().execute();
      expect(authUrl.href).not.toContain(flow.find((f) => f.state === authUrl.searchParams.get("state"))!.code_verifier);
      const flowCookie = String(start.headers["set-cookie"]);
      for (const attr of ["__Host-schakel_oidc=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"]) expect(flowCookie).toContain(attr);
      const at = await throughProvider(providerUrlOf(start));
      const res = await callback(jar, at);
      expect(res.statusCode).toBe(200);
      expect(res.headers.refresh).toBe("0;url=/account?tab=1");
      expect(res.body).toContain('href="/account?tab=1"');
      expect(jar.get(OIDC_FLOW_COOKIE)).toBeUndefined();
      const who = await me(jar);
      expect(who.statusCode).toBe(200);
      expect(who.json().id).toBe(user.id);
      const session = await ctx.database.db.selectFrom("session").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
      expect(session.auth_method).toBe("oidc");
      expect(session.stage).toBe("full");
      expect((await auditOf("login.oidc", "success")).map((a) => a.resource_id)).toContain(user.id);
      expect((await auditOf("login.oidc.mfa", "success")).map((a) => a.resource_id)).toContain(user.id);
    });

    it("a token without amr mfa still requires Schakel's own TOTP step", async () => {
      const user = await linkedUser("sub-pwd-only");
      const { jar, res } = await ssoLogin({ sub: "sub-pwd-only", amr: ["pwd"] }, "/account");
      expect(res.statusCode).toBe(200);
      expect(res.headers.refresh).toBe("0;url=/login/mfa");
      expect((await me(jar)).statusCode).toBe(401);
      const pending = jar.get(SESSION_COOKIE);
      const page = await inject(jar, { method: "GET", url: "/login/mfa" });
      expect(page.statusCode).toBe(200);
      const done = await inject(jar, { method: "POST", url: "/login/mfa", form: { _csrf: csrfFromHtml(page.body), code: await freshTotp(user) } });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe("/account");
      expect(jar.get(SESSION_COOKIE)).not.toBe(pending);
      expect((await me(jar)).json().id).toBe(user.id);
      expect((await auditOf("login.oidc.mfa", "success")).map((a) => a.resource_id)).not.toContain(user.id);
      // An acr outside OIDC_MFA_ACR (empty by default) does not count either.
      const acrOnly = await ssoLogin({ sub: "sub-pwd-only", acr: "urn:some:loa:high" });
      expect(acrOnly.res.headers.refresh).toBe("0;url=/login/mfa");
    });

    it("an SSO login does not count as re-authentication for password or TOTP changes", async () => {
      await linkedUser("sub-reauth");
      const { jar } = await ssoLogin({ sub: "sub-reauth", amr: ["mfa"] });
      const change = await inject(jar, { method: "GET", url: "/account/password" });
      expect(change.statusCode).toBe(303);
      expect(change.headers.location).toBe("/account/reauth?next=/account/password");
    });

    it("refuses an unlinked subject with the generic message, and audits it", async () => {
      const before = (await auditOf("login.oidc", "failure")).length;
      const { jar, res } = await ssoLogin({ sub: "sub-never-linked", amr: ["mfa"] });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain("Aanmelden via uw organisatie is niet gelukt.");
      expect(res.body).toContain('href="#sso-login"');
      expect(jar.get(SESSION_COOKIE)).toBeUndefined();
      expect((await auditOf("login.oidc", "failure")).length).toBe(before + 1);
    });

    it("an e-mail match alone does not link: the provider's verified e-mail of a Schakel user is ignored", async () => {
      const user = await createUser(ctx);
      const { jar, res } = await ssoLogin({ sub: "sub-same-email", amr: ["mfa"], email: user.email });
      expect(res.statusCode).toBe(401);
      expect((await me(jar)).statusCode).toBe(401);
      const after = await findUser(ctx.database.db, user.id);
      expect(after?.oidc_subject).toBeNull();
      expect(after?.oidc_issuer).toBeNull();
      expect(await ctx.database.db.selectFrom("session").select("id").where("user_id", "=", user.id).execute()).toEqual([]);
    });

    it("refuses a wrong state, a replayed callback, and a missing or wrong PKCE verifier", async () => {
      await linkedUser("sub-attacks");
      next.current = { sub: "sub-attacks", amr: ["mfa"] };
      const failures = async () => (await auditOf("login.oidc", "failure")).length;

      // Wrong state: the provider's answer with a state this browser's flow did not send.
      let jar = new CookieJar();
      let at = await throughProvider(providerUrlOf(await startLogin(jar)));
      let n = await failures();
      const forged = new URL(at);
      forged.searchParams.set("state", "forged-state-value");
      const wrongState = await callback(jar, forged);
      expect(wrongState.statusCode).toBe(401);
      expect((await me(jar)).statusCode).toBe(401);
      expect(await failures()).toBe(n + 1);

      // Replay: the same callback (with the same flow cookie) a second time after a success.
      const ok = await ssoLogin({ sub: "sub-attacks", amr: ["mfa"] });
      expect((await me(ok.jar)).statusCode).toBe(200);
      n = await failures();
      const replayJar = new CookieJar();
      const replay = await app.inject({ method: "GET", url: `/login/oidc/callback${ok.at.search}`, headers: { cookie: `${OIDC_FLOW_COOKIE}=${ok.flowCookie}` } });
      expect(replay.statusCode).toBe(401);
      replayJar.take(replay);
      expect(replayJar.get(SESSION_COOKIE)).toBeUndefined();
      expect(await failures()).toBe(n + 1);
      // ... and someone else's callback URL in a browser without the flow cookie.
      expect((await app.inject({ method: "GET", url: `/login/oidc/callback${ok.at.search}` })).statusCode).toBe(401);

      // Wrong PKCE verifier on our side: the provider refuses the code.
      jar = new CookieJar();
      at = await throughProvider(providerUrlOf(await startLogin(jar)));
      await ctx.database.db.updateTable("oidc_flow").set({ code_verifier: "x".repeat(43) }).execute();
      expect((await callback(jar, at)).statusCode).toBe(401);

      // No verifier at all: the real provider refuses to exchange the code.
      jar = new CookieJar();
      at = await throughProvider(providerUrlOf(await startLogin(jar)));
      const token = await fetch(`${op.issuer}/token`, {
        method: "POST",
        headers: { ...FORM, authorization: `Basic ${Buffer.from(`schakel:${CLIENT_SECRET}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "authorization_code", code: at.searchParams.get("code")!, redirect_uri: REDIRECT }),
      });
      expect(token.status).toBe(400);
      expect((await token.json()).error).toBe("invalid_grant");
    });

    it("refuses an ID token whose signature does not verify against the provider's keys", async () => {
      await linkedUser("sub-forged");
      const forged = await ssoLogin({ sub: "sub-forged", amr: ["mfa"], forgeSignature: true });
      expect(forged.res.statusCode).toBe(401);
      expect((await me(forged.jar)).statusCode).toBe(401);
      const genuine = await ssoLogin({ sub: "sub-forged", amr: ["mfa"] });
      expect((await me(genuine.jar)).statusCode).toBe(200);
    });

    it("the SSO button is a CSRF-checked POST, and return-to accepts only local paths", async () => {
      const jar = new CookieJar();
      await inject(jar, { method: "GET", url: "/login" });
      const noToken = await inject(jar, { method: "POST", url: "/login/oidc", form: { next: "/" } });
      expect(noToken.statusCode).toBe(403);
      await linkedUser("sub-next");
      for (const bad of ["//evil.example/x", "https://evil.example/"]) {
        const { res } = await ssoLogin({ sub: "sub-next", amr: ["mfa"] }, bad);
        expect(res.headers.refresh, bad).toBe("0;url=/");
      }
    });

    it("after an administrator removes the link, the provider's login no longer gets into that account, and its SSO session has ended", async () => {
      const user = await linkedUser("sub-removed-by-admin");
      const before = await ssoLogin({ sub: "sub-removed-by-admin", amr: ["mfa"] });
      expect((await me(before.jar)).json().id).toBe(user.id);
      const admin = await login(app, await createUser(ctx, { platformRoles: ["admin"] }));
      const page = await app.inject({ method: "GET", url: `/admin/accounts/${user.id}`, headers: admin.headers() });
      expect(page.body).toContain(`<code>${op.issuer}</code>`);
      expect(page.body).not.toContain("sub-removed-by-admin");
      const removed = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/remove-sso`, headers: admin.headers({ form: true }), payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body) }).toString() });
      expect(removed.statusCode).toBe(303);
      // The session the provider's login made has ended ...
      expect((await me(before.jar)).statusCode).toBe(401);
      // ... and the same provider login (same subject, with MFA) is now refused like any unknown subject.
      const failuresBefore = (await auditOf("login.oidc", "failure")).length;
      const after = await ssoLogin({ sub: "sub-removed-by-admin", amr: ["mfa"] });
      expect(after.res.statusCode).toBe(401);
      expect(after.res.body).toContain("Aanmelden via uw organisatie is niet gelukt.");
      expect(after.jar.get(SESSION_COOKIE)).toBeUndefined();
      expect((await me(after.jar)).statusCode).toBe(401);
      expect((await auditOf("login.oidc", "failure")).length).toBe(failuresBefore + 1);
      expect((await auditOf("account.oidc.unlink", "success")).map((a) => a.resource_id)).toContain(user.id);
      // The account itself still works with its password.
      expect((await me((await login(app, user)).jar)).json().id).toBe(user.id);
    });

    it("a user links their own account after password + TOTP, then logs in with the provider", async () => {
      const user = await createUser(ctx);
      const s = await login(app, user);
      const page = await app.inject({ method: "GET", url: "/account/sso", headers: s.headers() });
      expect(page.body).toContain("Uw account is niet gekoppeld.");
      // Without a fresh re-authentication: sent to password + code first.
      await ctx.database.db.updateTable("session").set({ reauth_at: new Date(Date.now() - 3_600_000).toISOString() }).where("user_id", "=", user.id).execute();
      const stale = await app.inject({ method: "POST", url: "/account/sso/link", headers: s.headers({ form: true }), payload: s.form() });
      expect(stale.statusCode).toBe(303);
      expect(stale.headers.location).toBe("/account/reauth?next=/account/sso");
      const reauthPage = await app.inject({ method: "GET", url: "/account/reauth?next=/account/sso", headers: s.headers() });
      const reauth = await app.inject({
        method: "POST",
        url: "/account/reauth",
        headers: s.headers({ form: true }),
        payload: new URLSearchParams({ _csrf: csrfFromHtml(reauthPage.body), password: user.password, code: await freshTotp(user), next: "/account/sso" }).toString(),
      });
      expect(reauth.headers.location).toBe("/account/sso");
      s.jar.take(reauth);
      const form = await app.inject({ method: "GET", url: "/account/sso", headers: s.headers() });
      next.current = { sub: "sub-self-linked", amr: ["mfa"] };
      const start = await app.inject({ method: "POST", url: "/account/sso/link", headers: s.headers({ form: true }), payload: new URLSearchParams({ _csrf: csrfFromHtml(form.body) }).toString() });
      expect(new URL(providerUrlOf(start)).searchParams.get("prompt")).toBe("login");
      s.jar.take(start);
      const at = await throughProvider(providerUrlOf(start));
      // The provider's redirect is cross-site: the Strict session cookie does not come along, only the flow cookie.
      const cb = await app.inject({ method: "GET", url: `/login/oidc/callback${at.search}`, headers: { cookie: `${OIDC_FLOW_COOKIE}=${s.jar.get(OIDC_FLOW_COOKIE)}` } });
      expect(cb.statusCode).toBe(200);
      expect(cb.headers.refresh).toBe("0;url=/account/sso");
      const linked = await findUser(ctx.database.db, user.id);
      expect(linked?.oidc_issuer).toBe(op.issuer);
      expect(linked?.oidc_subject).toBe("sub-self-linked");
      expect((await auditOf("account.oidc.link", "success")).map((a) => a.resource_id)).toContain(user.id);
      // The same subject cannot be linked to a second account.
      const other = await createUser(ctx);
      const o = await login(app, other);
      const oForm = await app.inject({ method: "GET", url: "/account/sso", headers: o.headers() });
      const oStart = await app.inject({ method: "POST", url: "/account/sso/link", headers: o.headers({ form: true }), payload: new URLSearchParams({ _csrf: csrfFromHtml(oForm.body) }).toString() });
      o.jar.take(oStart);
      const oAt = await throughProvider(providerUrlOf(oStart));
      const oCb = await app.inject({ method: "GET", url: `/login/oidc/callback${oAt.search}`, headers: { cookie: `${OIDC_FLOW_COOKIE}=${o.jar.get(OIDC_FLOW_COOKIE)}` } });
      expect(oCb.headers.refresh).toBe("0;url=/account/sso?failed=1");
      expect((await findUser(ctx.database.db, other.id))?.oidc_subject).toBeNull();
      // And the linked user now gets in through the provider.
      const { jar } = await ssoLogin({ sub: "sub-self-linked", amr: ["mfa"] });
      expect((await me(jar)).json().id).toBe(user.id);
      // A session that came in through the provider cannot change the link.
      const sso = await app.inject({ method: "GET", url: "/account/sso", headers: { cookie: jar.header() } });
      const viaSso = await app.inject({ method: "POST", url: "/account/sso/link", headers: { cookie: jar.header(), ...FORM }, payload: new URLSearchParams({ _csrf: csrfFromHtml(sso.body) }).toString() });
      expect(viaSso.statusCode).toBe(403);
    });
  });
}
