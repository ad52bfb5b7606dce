import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, csrfFromHtml, CookieJar, freshTotp, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { SESSION_COOKIE } from "../../platform/auth/session";
import { buildApp } from "../../platform/web/app";
import { updateUser } from "./store";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describeEachDialect("login, sessions and CSRF", (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
  });
  afterAll(async () => app?.close());

  async function passwordStep(jar: CookieJar, email: string, password: string, next = "/") {
    const page = await app.inject({ method: "GET", url: "/login", headers: { cookie: jar.header() } });
    jar.take(page);
    const res = await app.inject({
      method: "POST",
      url: "/login",
      headers: { ...FORM, cookie: jar.header() },
      payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), email, password, next }).toString(),
    });
    jar.take(res);
    return res;
  }

  async function codeStep(jar: CookieJar, code: string) {
    const page = await app.inject({ method: "GET", url: "/login/mfa", headers: { cookie: jar.header() } });
    const res = await app.inject({
      method: "POST",
      url: "/login/mfa",
      headers: { ...FORM, cookie: jar.header() },
      payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), code }).toString(),
    });
    jar.take(res);
    return res;
  }

  it("logs in with password and TOTP, rotating the session id between the steps", async () => {
    const user = await createUser(ctx());
    const jar = new CookieJar();
    const first = await passwordStep(jar, user.email.toUpperCase(), user.password, "/account");
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe("/login/mfa");
    const pending = jar.get(SESSION_COOKIE);
    const setCookie = String(first.headers["set-cookie"]);
    expect(setCookie).toMatch(/__Host-schakel_session=/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    // The half-finished session is not logged in.
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } })).statusCode).toBe(401);
    const second = await codeStep(jar, await freshTotp(user));
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe("/account");
    expect(jar.get(SESSION_COOKIE)).not.toBe(pending);
    const me = await app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(user.id);
    // The old (pending) cookie value is dead.
    const old = await app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: `${SESSION_COOKIE}=${pending}` } });
    expect(old.statusCode).toBe(401);
  });

  it("gives one generic message for a wrong password and an unknown account", async () => {
    const user = await createUser(ctx());
    const wrong = await passwordStep(new CookieJar(), user.email, "not-the-password-at-all");
    const unknown = await passwordStep(new CookieJar(), "nobody@nowhere.invalid", "not-the-password-at-all");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const msg = (b: string) => /<p class="field-error"[^>]*>([^<]+)</.exec(b)?.[1];
    expect(msg(wrong.body)).toBeTruthy();
    expect(msg(wrong.body)).toBe(msg(unknown.body));
    expect(wrong.body).toContain(`value="${user.email}"`);
  });

  it("refuses a wrong code, and the same TOTP code twice", async () => {
    const user = await createUser(ctx());
    const jar = new CookieJar();
    await passwordStep(jar, user.email, user.password);
    expect((await codeStep(jar, "000000")).statusCode).toBe(401);
    const code = await freshTotp(user);
    expect((await codeStep(jar, code)).statusCode).toBe(303);
    const again = new CookieJar();
    await passwordStep(again, user.email, user.password);
    expect((await codeStep(again, code)).statusCode).toBe(401);
  });

  it("does not log in a disabled account, and disabling ends its sessions at once", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    expect((await app.inject({ method: "GET", url: "/account", headers: s.headers() })).statusCode).toBe(200);
    await updateUser(ctx().database.db, user.id, { status: "disabled" });
    const after = await app.inject({ method: "GET", url: "/account", headers: s.headers() });
    expect(after.statusCode).toBe(303);
    const left = await ctx().database.db.selectFrom("session").select("id").where("user_id", "=", user.id).execute();
    expect(left).toEqual([]);
    expect((await passwordStep(new CookieJar(), user.email, user.password)).statusCode).toBe(401);
  });

  it("redirects a protected page to the login form with a local return path, and JSON gets 401", async () => {
    const page = await app.inject({ method: "GET", url: "/account?tab=1" });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/login?next=${encodeURIComponent("/account?tab=1")}`);
    const api = await app.inject({ method: "GET", url: "/api/v1/me" });
    expect(api.statusCode).toBe(401);
  });

  it("accepts only local return paths after login", async () => {
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]) {
      const user = await createUser(ctx());
      const jar = new CookieJar();
      await passwordStep(jar, user.email, user.password, next);
      const res = await codeStep(jar, await freshTotp(user));
      expect(res.headers.location, next).toBe("/");
    }
  });

  it("rejects state-changing requests without a valid CSRF token (form and JSON)", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const noToken = await app.inject({ method: "POST", url: "/logout", headers: s.headers({ form: true }), payload: "" });
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await app.inject({ method: "POST", url: "/logout", headers: { ...s.headers({ json: true }), "x-csrf-token": "x".repeat(43) }, payload: "{}" });
    expect(wrongToken.statusCode).toBe(403);
    // Still logged in after both refusals; a correct JSON token works.
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() })).statusCode).toBe(200);
    const ok = await app.inject({ method: "POST", url: "/logout", headers: s.headers({ json: true }), payload: "{}" });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() })).statusCode).toBe(401);
    // The login form itself needs its token too.
    const bare = await app.inject({ method: "POST", url: "/login", headers: FORM, payload: new URLSearchParams({ email: user.email, password: user.password }).toString() });
    expect(bare.statusCode).toBe(403);
  });

  it("ends a session after the idle limit and after the absolute limit", async () => {
    const db = ctx().database.db;
    const user = await createUser(ctx());
    const idle = await login(app, user);
    const idleMinutes = ctx().config.SCHAKEL_SESSION_IDLE_MINUTES;
    await db.updateTable("session").set({ last_seen_at: new Date(Date.now() - (idleMinutes + 1) * 60_000).toISOString() }).where("user_id", "=", user.id).execute();
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: idle.headers() })).statusCode).toBe(401);

    const user2 = await createUser(ctx());
    const busy = await login(app, user2);
    const hours = ctx().config.SCHAKEL_SESSION_ABSOLUTE_HOURS;
    await db.updateTable("session").set({ created_at: new Date(Date.now() - (hours * 60 + 1) * 60_000).toISOString() }).where("user_id", "=", user2.id).execute();
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: busy.headers() })).statusCode).toBe(401);

    // Within the limits the session lives on.
    const user3 = await createUser(ctx());
    const fresh = await login(app, user3);
    await db.updateTable("session").set({ last_seen_at: new Date(Date.now() - (idleMinutes - 1) * 60_000).toISOString() }).where("user_id", "=", user3.id).execute();
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: fresh.headers() })).statusCode).toBe(200);
  });

  it("logs out everywhere: every session of the account ends", async () => {
    const user = await createUser(ctx());
    const a = await login(app, user);
    const b = await login(app, user);
    const res = await app.inject({ method: "POST", url: "/account/sessions/end-all", headers: a.headers({ form: true }), payload: a.form() });
    expect(res.statusCode).toBe(303);
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: a.headers() })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: b.headers() })).statusCode).toBe(401);
  });

  it("gives a session a new id after a privilege change", async () => {
    const { grantMembership } = await import("./service");
    const user = await createUser(ctx());
    const s = await login(app, user);
    const before = s.jar.get(SESSION_COOKIE);
    await grantMembership(ctx(), { userId: user.id, livcId: "livc-x", role: "reporter" });
    const res = await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() });
    s.jar.take(res);
    expect(res.statusCode).toBe(200);
    expect(res.json().memberships).toEqual([{ livc_id: "livc-x", role: "reporter" }]);
    expect(s.jar.get(SESSION_COOKIE)).not.toBe(before);
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: `${SESSION_COOKIE}=${before}` } })).statusCode).toBe(401);
  });

  it("accepts a recovery code once instead of a TOTP code", async () => {
    const { hashRecoveryCode } = await import("../../platform/auth/totp");
    const user = await createUser(ctx());
    await ctx().database.db.insertInto("recovery_code").values({ id: `rc-${user.id}`, user_id: user.id, code_hash: hashRecoveryCode("ABCD-EFGH-JKLM"), used_at: null }).execute();
    const jar = new CookieJar();
    await passwordStep(jar, user.email, user.password);
    expect((await codeStep(jar, "abcd efgh jklm")).statusCode).toBe(303);
    const again = new CookieJar();
    await passwordStep(again, user.email, user.password);
    expect((await codeStep(again, "ABCD-EFGH-JKLM")).statusCode).toBe(401);
  });
});
