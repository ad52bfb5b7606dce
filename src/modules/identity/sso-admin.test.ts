import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { createSession, SESSION_COOKIE } from "../../platform/auth/session";
import { buildApp } from "../../platform/web/app";
import { findUser, updateUser } from "./store";

/**
 * The SSO link on the administrator's account page and on the user's own pages (decision 0031):
 * shown as linked/not linked + issuer (never the subject), removed by an administrator or by the
 * person (after re-authentication); removing ends the account's SSO sessions, and the change and
 * its audit entry commit together. The round trip with a real provider is in sso.test.ts.
 */
const ISSUER = "https://idp.example.test/realms/gemeente";
const SUBJECT = "subject-4711-must-never-be-shown";

describeEachDialect("single sign-on link: see and remove", (ctx, dialect) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  const db = () => ctx().database.db;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
  });
  afterAll(async () => app?.close());

  async function linked(): Promise<TestUser> {
    const user = await createUser(ctx());
    await updateUser(db(), user.id, { oidc_issuer: ISSUER, oidc_subject: SUBJECT + user.id });
    return user;
  }
  /** A session as an SSO login makes it (auth_method oidc); its cookie header and CSRF token. */
  async function ssoSession(userId: string, stage: "full" | "mfa" = "full") {
    const created = await createSession(db(), userId, stage, "oidc", null);
    return { id: created.session.id, cookie: `${SESSION_COOKIE}=${created.token}`, csrf: created.session.csrf_token };
  }
  const sessionsOf = async (userId: string) => (await db().selectFrom("session").select(["id", "auth_method"]).where("user_id", "=", userId).execute()).map((s) => s.auth_method).sort();
  const unlinkAudits = async (userId: string) =>
    db().selectFrom("audit_entry").select(["actor_id", "outcome"]).where("action", "=", "account.oidc.unlink").where("resource_id", "=", userId).execute();
  const me = (cookie: string) => app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } });
  const removeAsAdmin = (userId: string, s: LoginSession = admin) => app.inject({ method: "POST", url: `/admin/accounts/${userId}/remove-sso`, headers: s.headers({ form: true }), payload: s.form() });

  it("the administrator's account page shows linked + issuer, never the subject; not linked shows no remove button", async () => {
    const user = await linked();
    const page = await app.inject({ method: "GET", url: `/admin/accounts/${user.id}`, headers: admin.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Aanmelden via organisatie (SSO)");
    expect(page.body).toMatch(/<dd>Gekoppeld<\/dd>/);
    expect(page.body).toContain(`<code>${ISSUER}</code>`);
    expect(page.body).toContain(`action="/admin/accounts/${user.id}/remove-sso"`);
    expect(page.body).not.toContain("subject-4711");
    const other = await createUser(ctx());
    const plain = await app.inject({ method: "GET", url: `/admin/accounts/${other.id}`, headers: admin.headers() });
    expect(plain.body).toMatch(/<dd>Niet gekoppeld<\/dd>/);
    expect(plain.body).not.toContain("remove-sso");
    // French page, same facts (?lang=: after login the account's language cookie outranks Accept-Language, decision 0035).
    const fr = await app.inject({ method: "GET", url: `/admin/accounts/${user.id}?lang=fr`, headers: admin.headers() });
    expect(fr.body).toContain("Supprimer le lien SSO");
  });

  it("an administrator removes the link: SSO sessions end (password sessions stay), audited with the administrator as actor", async () => {
    const user = await linked();
    const viaSso = await ssoSession(user.id);
    const halfway = await ssoSession(user.id, "mfa");
    const byPassword = await login(app, user);
    expect((await me(viaSso.cookie)).statusCode).toBe(200);
    expect(await sessionsOf(user.id)).toEqual(["oidc", "oidc", "password"]);
    const res = await removeAsAdmin(user.id);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/accounts/${user.id}`);
    const after = await findUser(db(), user.id);
    expect(after?.oidc_issuer).toBeNull();
    expect(after?.oidc_subject).toBeNull();
    expect(await sessionsOf(user.id)).toEqual(["password"]);
    expect((await me(viaSso.cookie)).statusCode).toBe(401);
    expect((await me(halfway.cookie)).statusCode).toBe(401);
    expect((await me(byPassword.cookie)).statusCode).toBe(200);
    const adminId = (await me(admin.cookie)).json().id;
    expect(await unlinkAudits(user.id)).toEqual([{ actor_id: adminId, outcome: "success" }]);
    const page = await app.inject({ method: "GET", url: `/admin/accounts/${user.id}`, headers: admin.headers() });
    expect(page.body).toMatch(/<dd>Niet gekoppeld<\/dd>/);
    // Again, with nothing left to remove: same answer, no second audit entry.
    expect((await removeAsAdmin(user.id)).statusCode).toBe(303);
    expect(await unlinkAudits(user.id)).toHaveLength(1);
    // The JSON answer says what happened.
    const other = await linked();
    await ssoSession(other.id);
    const json = await app.inject({ method: "POST", url: `/admin/accounts/${other.id}/remove-sso`, headers: admin.headers({ json: true }), payload: {} });
    expect(json.json()).toEqual({ ok: true, removed: true, sessions_ended: 1 });
  });

  it("refuses anyone without the account permission, a missing or wrong CSRF token, and an unknown account", async () => {
    const user = await linked();
    const sso = await ssoSession(user.id);
    const analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    expect((await app.inject({ method: "GET", url: `/admin/accounts/${user.id}`, headers: analyst.headers() })).statusCode).toBe(403);
    expect((await removeAsAdmin(user.id, analyst)).statusCode).toBe(403);
    // The person themself cannot use the administrator's route either.
    const self = await login(app, user);
    expect((await removeAsAdmin(user.id, self)).statusCode).toBe(403);
    // Not logged in.
    const anonymous = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/remove-sso`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    expect([401, 403]).toContain(anonymous.statusCode);
    // The administrator without (or with someone else's) CSRF token.
    const noToken = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/remove-sso`, headers: admin.headers({ form: true }), payload: "" });
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/remove-sso`, headers: admin.headers({ form: true }), payload: `_csrf=${analyst.csrfToken}` });
    expect(wrongToken.statusCode).toBe(403);
    expect((await findUser(db(), user.id))?.oidc_issuer).toBe(ISSUER);
    expect((await me(sso.cookie)).statusCode).toBe(200);
    expect(await unlinkAudits(user.id)).toEqual([]);
    expect((await removeAsAdmin("00000000-0000-4000-8000-000000000000")).statusCode).toBe(404);
    expect((await removeAsAdmin("not-a-uuid")).statusCode).toBe(404);
  });

  it("the link and the ended sessions roll back when the audit entry cannot be written", async () => {
    const user = await linked();
    const sso = await ssoSession(user.id);
    if (dialect === "sqlite") {
      await sql.raw("create trigger refuse_audit_sso before insert on audit_entry begin select raise(abort, 'audit refused'); end").execute(db());
    } else {
      await sql.raw("create or replace function refuse_audit_sso() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db());
      await sql.raw("create trigger refuse_audit_sso before insert on audit_entry for each row execute function refuse_audit_sso()").execute(db());
    }
    try {
      const res = await removeAsAdmin(user.id);
      expect(res.statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      await sql.raw(dialect === "sqlite" ? "drop trigger refuse_audit_sso" : "drop trigger refuse_audit_sso on audit_entry").execute(db());
    }
    expect((await findUser(db(), user.id))?.oidc_subject).not.toBeNull();
    expect((await me(sso.cookie)).statusCode).toBe(200);
  });

  it("the person sees their link (issuer, not subject) and removes it after re-authentication; their SSO sessions end", async () => {
    const user = await linked();
    const sso = await ssoSession(user.id);
    const s = await login(app, user);
    const account = await app.inject({ method: "GET", url: "/account", headers: s.headers() });
    expect(account.body).toContain(`Gekoppeld (${ISSUER})`);
    const page = await app.inject({ method: "GET", url: "/account/sso", headers: s.headers() });
    expect(page.body).toContain(`<code>${ISSUER}</code>`);
    expect(page.body).not.toContain("subject-4711");
    expect(page.body).toContain('action="/account/sso/unlink"');
    // Without a fresh password + code: sent to re-authenticate, nothing changes.
    await db().updateTable("session").set({ reauth_at: new Date(Date.now() - 3_600_000).toISOString() }).where("user_id", "=", user.id).execute();
    const stale = await app.inject({ method: "POST", url: "/account/sso/unlink", headers: s.headers({ form: true }), payload: s.form() });
    expect(stale.headers.location).toBe("/account/reauth?next=/account/sso");
    expect((await findUser(db(), user.id))?.oidc_subject).not.toBeNull();
    await db().updateTable("session").set({ reauth_at: new Date().toISOString() }).where("user_id", "=", user.id).execute();
    const res = await app.inject({ method: "POST", url: "/account/sso/unlink", headers: s.headers({ form: true }), payload: s.form() });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/account/sso");
    expect((await findUser(db(), user.id))?.oidc_subject).toBeNull();
    expect((await me(sso.cookie)).statusCode).toBe(401);
    expect((await me(s.cookie)).statusCode).toBe(200);
    expect(await unlinkAudits(user.id)).toEqual([{ actor_id: user.id, outcome: "success" }]);
    expect((await app.inject({ method: "GET", url: "/account", headers: s.headers() })).body).toContain("Niet gekoppeld");
  });

  it("a session that came in through SSO and re-authenticated removes the link and is logged out with the others", async () => {
    const user = await linked();
    const sso = await ssoSession(user.id);
    await db().updateTable("session").set({ reauth_at: new Date().toISOString() }).where("id", "=", sso.id).execute();
    const jar = new CookieJar();
    const res = await app.inject({ method: "POST", url: "/account/sso/unlink", headers: { cookie: sso.cookie, "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${sso.csrf}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/login");
    jar.take(res);
    expect(jar.header()).not.toContain(SESSION_COOKIE);
    expect((await me(sso.cookie)).statusCode).toBe(401);
    expect((await findUser(db(), user.id))?.oidc_subject).toBeNull();
    // And its CSRF-less twin is refused before anything happens.
    const other = await linked();
    const o = await ssoSession(other.id);
    const page = await app.inject({ method: "GET", url: "/account/sso", headers: { cookie: o.cookie } });
    expect(csrfFromHtml(page.body)).toBe(o.csrf);
    expect((await app.inject({ method: "POST", url: "/account/sso/unlink", headers: { cookie: o.cookie, "content-type": "application/x-www-form-urlencoded" }, payload: "" })).statusCode).toBe(403);
    expect((await findUser(db(), other.id))?.oidc_subject).not.toBeNull();
  });
});
