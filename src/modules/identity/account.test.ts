import type { FastifyInstance } from "fastify";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, freshTotp, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { passwordProblem } from "../../platform/auth/password";
import { delaySeconds } from "../../platform/auth/throttle";
import { buildApp } from "../../platform/web/app";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const STRONG = "Zeven blauwe fietsen op de Meir";

describe("password rules", () => {
  it("accepts 12..128 characters that are hard to guess, refuses the rest", async () => {
    expect(await passwordProblem("Kort1!")).toBe("too_short");
    expect(await passwordProblem("a".repeat(129))).toBe("too_long");
    expect(await passwordProblem("wachtwoord123")).toBe("weak");
    expect(await passwordProblem("azertyuiop123")).toBe("weak");
    expect(await passwordProblem("janssens2024!", ["jan.janssens@gent.be"])).toBe("weak");
    expect(await passwordProblem(STRONG)).toBeNull();
  });

  it("throttles with growing delays, per account sooner than per address", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => delaySeconds("account", n))).toEqual([0, 0, 1, 2, 4, 8]);
    expect(delaySeconds("account", 40)).toBe(900);
    expect(delaySeconds("address", 5)).toBe(0);
  });
});

describeEachDialect("accounts: invitation, MFA enrolment, reset, administration, throttling, audit", (ctx) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
  });
  afterAll(async () => app?.close());

  const get = async (jar: CookieJar, url: string) => {
    const r = await app.inject({ method: "GET", url, headers: { cookie: jar.header() } });
    jar.take(r);
    return r;
  };
  const post = async (jar: CookieJar, url: string, fields: Record<string, string>, from = url) => {
    const page = await get(jar, from);
    const r = await app.inject({ method: "POST", url, headers: { ...FORM, cookie: jar.header() }, payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), ...fields }).toString() });
    jar.take(r);
    return r;
  };

  it("invites, activates with a strong password once, then forces TOTP enrolment with QR code and 10 recovery codes", async () => {
    const admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    const created = await app.inject({ method: "POST", url: "/api/v1/admin/accounts", headers: admin.headers({ json: true }), payload: { display_name: "Nieuwe Collega", email: "nieuw@test.invalid" } });
    expect(created.statusCode).toBe(201);
    const link = new URL(created.json().invitation_url, "http://x");
    const jar = new CookieJar();
    const weak = await post(jar, "/account/activate", { token: link.searchParams.get("token")!, password: "wachtwoord123", confirm: "wachtwoord123" }, `/account/activate${link.search}`);
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('href="#password"');
    const ok = await post(jar, "/account/activate", { token: link.searchParams.get("token")!, password: STRONG, confirm: STRONG }, `/account/activate${link.search}`);
    expect(ok.headers.location).toBe("/login");
    const again = await post(new CookieJar(), "/account/activate", { token: link.searchParams.get("token")!, password: STRONG, confirm: STRONG }, `/account/activate${link.search}`);
    expect(again.statusCode).toBe(400);

    const step1 = await post(jar, "/login", { email: "nieuw@test.invalid", password: STRONG }, "/login");
    expect(step1.headers.location).toBe("/account/mfa/setup");
    // Not logged in before enrolment.
    expect((await get(jar, "/api/v1/me")).statusCode).toBe(401);
    const setup = await get(jar, "/account/mfa/setup");
    expect(setup.body).toContain('src="data:image/svg+xml;base64,');
    const secret = /data-secret="([A-Z2-7]+)"/.exec(setup.body)![1];
    expect((await post(jar, "/account/mfa/setup", { code: "123456" }, "/account/mfa/setup")).statusCode).toBe(400);
    const done = await post(jar, "/account/mfa/setup", { code: await generate({ secret }) }, "/account/mfa/setup");
    expect(done.statusCode).toBe(200);
    expect(done.body.match(/<li><code>(?:[0-9A-Z]{5}-){4}[0-9A-Z]{5}<\/code><\/li>/g)).toHaveLength(10);
    expect((await get(jar, "/api/v1/me")).json().display_name).toBe("Nieuwe Collega");
    // Recovery codes are shown once: stored only as hashes.
    const codes = await ctx().database.db.selectFrom("recovery_code").selectAll().execute();
    expect(JSON.stringify(codes)).not.toContain(/<code>([^<]+)</.exec(done.body)![1]);
  });

  it("a reset link works once, ends all sessions, and the next login still asks for the code", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    const r = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/reset-link`, headers: admin.headers({ json: true }), payload: "{}" });
    const link = new URL(r.json().url, "http://x");
    const jar = new CookieJar();
    const done = await post(jar, "/account/reset/new", { token: link.searchParams.get("token")!, password: STRONG, confirm: STRONG }, `/account/reset/new${link.search}`);
    expect(done.headers.location).toBe("/login");
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() })).statusCode).toBe(401);
    const next = await post(new CookieJar(), "/login", { email: user.email, password: STRONG }, "/login");
    expect(next.headers.location).toBe("/login/mfa");
    // Expired links do not work.
    const r2 = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/reset-link`, headers: admin.headers({ json: true }), payload: "{}" });
    const token2 = new URL(r2.json().url, "http://x").searchParams.get("token")!;
    await ctx().database.db.updateTable("account_token").set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where("user_id", "=", user.id).execute();
    const late = await post(new CookieJar(), "/account/reset/new", { token: token2, password: STRONG, confirm: STRONG }, `/account/reset/new?token=${token2}`);
    expect(late.statusCode).toBe(400);
  });

  it("an administrator disables an account: its sessions end at once; only administrators reach the pages", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    expect((await app.inject({ method: "GET", url: "/admin/accounts", headers: s.headers() })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: "/admin/accounts", headers: admin.headers() })).body).toContain(user.email);
    const res = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/disable`, headers: admin.headers({ form: true }), payload: admin.form() });
    expect(res.statusCode).toBe(303);
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() })).statusCode).toBe(401);
  });

  it("an administrator cannot disable or log out their own account from the admin pages (no lock-out)", async () => {
    const me = await createUser(ctx(), { platformRoles: ["admin"] });
    const admin = await login(app, me);
    const page = await app.inject({ method: "GET", url: `/admin/accounts/${me.id}`, headers: admin.headers() });
    expect(page.body).toContain("Dit is uw eigen account");
    expect(page.body).not.toContain(`action="/admin/accounts/${me.id}/disable"`);
    expect(page.body).not.toContain(`action="/admin/accounts/${me.id}/end-sessions"`);
    for (const path of ["disable", "end-sessions"]) {
      const res = await app.inject({ method: "POST", url: `/admin/accounts/${me.id}/${path}`, headers: admin.headers({ form: true }), payload: admin.form() });
      expect(res.statusCode).toBe(400);
    }
    expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: admin.headers() })).statusCode).toBe(200);
    const denied = await ctx().database.db.selectFrom("audit_entry").select("action").where("resource_id", "=", me.id).where("outcome", "=", "denied").execute();
    expect(denied.map((d) => d.action).sort()).toEqual(["account.disable", "account.end-sessions"]);
  });

  it("re-authentication is required before changing the password", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    await ctx().database.db.updateTable("session").set({ reauth_at: new Date(Date.now() - 3_600_000).toISOString() }).where("user_id", "=", user.id).execute();
    const page = await app.inject({ method: "GET", url: "/account/password", headers: s.headers() });
    expect(page.headers.location).toBe("/account/reauth?next=/account/password");
    const wrong = await app.inject({ method: "POST", url: "/account/reauth", headers: s.headers({ form: true }), payload: s.form({ password: user.password, code: "000000", next: "/account/password" }) });
    expect(wrong.statusCode).toBe(401);
    const ok = await app.inject({ method: "POST", url: "/account/reauth", headers: s.headers({ form: true }), payload: s.form({ password: user.password, code: await freshTotp(user), next: "/account/password" }) });
    expect(ok.headers.location).toBe("/account/password");
    s.jar.take(ok);
    const me = await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() });
    const csrf = me.json().csrf_token;
    const change = await app.inject({ method: "POST", url: "/account/password", headers: s.headers({ form: true }), payload: new URLSearchParams({ _csrf: csrf, password: STRONG, confirm: STRONG }).toString() });
    expect(change.headers.location).toBe("/account");
  });

  it("throttles an account after repeated failures with a generic message, even with the right password, and logs every attempt", async () => {
    const user = await createUser(ctx());
    for (let i = 0; i < 4; i++) await post(new CookieJar(), "/login", { email: user.email, password: "wrong-password-attempt" }, "/login");
    const blocked = await post(new CookieJar(), "/login", { email: user.email, password: user.password }, "/login");
    expect(blocked.statusCode).toBe(429);
    const unknown = "ghost@nowhere.invalid";
    for (let i = 0; i < 4; i++) await post(new CookieJar(), "/login", { email: unknown, password: "wrong-password-attempt" }, "/login");
    const ghost = await post(new CookieJar(), "/login", { email: unknown, password: "wrong-password-attempt" }, "/login");
    expect(ghost.statusCode).toBe(429);
    const entries = await ctx().database.db.selectFrom("audit_entry").select(["action", "outcome"]).where("actor_id", "=", user.id).where("action", "=", "login.password").execute();
    // Three free failures, then each attempt meets a growing delay and is refused without checking the password.
    expect(entries.filter((e) => e.outcome === "failure")).toHaveLength(3);
    expect(entries.filter((e) => e.outcome === "denied").length).toBeGreaterThanOrEqual(2);
    expect(blocked.body).not.toContain(user.password);
    await ctx().database.db.deleteFrom("login_throttle").execute();
  });

  it("exports the audit log as CSV for the DPO only, and shows 'who saw this' to the chair of the LIVC only", async () => {
    const dpo = await login(app, await createUser(ctx(), { platformRoles: ["dpo"] }));
    const admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    const csv = await app.inject({ method: "GET", url: "/audit/export.csv", headers: dpo.headers() });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.startsWith("\uFEFFseq;at;actor_id")).toBe(true);
    expect(csv.body).toContain("login.mfa");
    expect((await app.inject({ method: "GET", url: "/audit/export.csv", headers: admin.headers() })).statusCode).toBe(403);

    const { personalData } = await import("../../platform/personal-data");
    const chairUser = await createUser(ctx(), { roles: [{ livcId: "livc-ws", role: "chair" }] });
    const partnerUser = await createUser(ctx(), { roles: [{ livcId: "livc-ws", role: "partner_member" }] });
    await personalData.write(ctx(), { userId: partnerUser.id }, { table: "person", rowId: "ws-1", livcId: "livc-ws", resourceType: "person", allowed: true, fields: { full_name: "X" } });
    const chair = await login(app, chairUser);
    const page = await app.inject({ method: "GET", url: "/audit/who-saw/person/ws-1", headers: chair.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(partnerUser.displayName);
    const partner = await login(app, partnerUser);
    expect((await app.inject({ method: "GET", url: "/audit/who-saw/person/ws-1", headers: partner.headers() })).statusCode).toBe(403);
  });
});
