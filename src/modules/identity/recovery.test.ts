import type { FastifyInstance } from "fastify";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, login, type TestUser } from "../../../test/support/auth";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { hashRecoveryCode, newRecoveryCodes } from "../../platform/auth/totp";
import { newId, toCount } from "../../platform/db/values";
import { translator } from "../../platform/i18n";
import { buildApp } from "../../platform/web/app";
import { findUser, updateUser } from "./store";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const STRONG = "Negen groene tramrails aan de Kouter";
const BASE = "https://schakel.example";

/**
 * Second-factor reset by an administrator (decision 0045), through the real login, reset and
 * enrolment forms and a REAL SMTP receiver, on SQLite and PostgreSQL.
 */
for (const dialect of activeDialects()) {
  describe(`account recovery: second-factor reset [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let ctx: TestContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      ctx = await openTestContext(dialect, { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: BASE });
      app = await buildApp(ctx, { logger: false });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await ctx?.close();
      await smtp?.stop();
    });

    const db = () => ctx.database.db;
    const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
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
    const count = async (table: "recovery_code" | "session", userId: string) =>
      toCount((await db().selectFrom(table).select((eb) => eb.fn.countAll().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow()).n);
    const withRecoveryCodes = async (user: TestUser) => {
      const codes = newRecoveryCodes();
      await db().insertInto("recovery_code").values(codes.map((c) => ({ id: newId(), user_id: user.id, code_hash: hashRecoveryCode(c), used_at: null }))).execute();
      return codes;
    };
    const auditOf = async (userId: string, action: string) =>
      (await db().selectFrom("audit_entry").select("outcome").where("resource_id", "=", userId).where("action", "=", action).execute()).map((e) => e.outcome);

    it("reset after a refused confirmation: secret, recovery codes, password, SSO link and sessions go; the person is told by mail without a link; the new link sets a password and the next login must enrol a new TOTP; old factors no longer work", async () => {
      const person = await createUser(ctx, { displayName: "Paula Kwijt" });
      await updateUser(db(), person.id, { language: "fr", oidc_issuer: "https://idp.test.schakel.invalid", oidc_subject: `sub-${person.id}` });
      const oldCodes = await withRecoveryCodes(person);
      const personSession = await login(app, person);
      const admin = await login(app, await createUser(ctx, { platformRoles: ["admin"] }));
      smtp.inbox.length = 0;

      // The account page offers the action; the confirmation page explains it.
      const detail = await app.inject({ method: "GET", url: `/admin/accounts/${person.id}`, headers: admin.headers() });
      expect(detail.body).toContain(`href="/admin/accounts/${person.id}/mfa-reset"`);
      const confirm = await app.inject({ method: "GET", url: `/admin/accounts/${person.id}/mfa-reset`, headers: admin.headers() });
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain('name="identity_verified"');

      // Without the checkbox: refused, the summary links to it, nothing changed.
      const refused = await app.inject({ method: "POST", url: `/admin/accounts/${person.id}/mfa-reset`, headers: admin.headers({ form: true }), payload: admin.form() });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('href="#identity_verified"');
      expect((await findUser(db(), person.id))!.totp_secret).not.toBeNull();
      expect(await count("recovery_code", person.id)).toBe(10);
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: personSession.headers() })).statusCode).toBe(200);

      const done = await app.inject({ method: "POST", url: `/admin/accounts/${person.id}/mfa-reset`, headers: admin.headers({ form: true }), payload: admin.form({ identity_verified: "yes" }) });
      expect(done.statusCode).toBe(200);
      const url = /<code id="account-link">([^<]+)<\/code>/.exec(done.body)![1];
      expect(url.startsWith(`${BASE}/account/reset/new?token=`)).toBe(true);
      const token = new URL(url).searchParams.get("token")!;
      const row = (await findUser(db(), person.id))!;
      expect([row.totp_secret, row.totp_last_step, row.password_hash, row.oidc_subject, row.oidc_issuer]).toEqual([null, null, null, null, null]);
      expect(await count("recovery_code", person.id)).toBe(0);
      expect(await count("session", person.id)).toBe(0);
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: personSession.headers() })).statusCode).toBe(401);
      expect(await auditOf(person.id, "account.mfa.reset")).toEqual(["success"]);
      expect(await auditOf(person.id, "account.oidc.unlink")).toEqual(["success"]);

      // One notice, in the account's language only, without a link or a name.
      const mails = received();
      expect(mails.map((m) => m.to)).toEqual([[person.email]]);
      const fr = translator("fr");
      expect(mails[0].subject).toBe(fr("rec.mail.subject"));
      expect(mails[0].text.trim()).toBe(fr("rec.mail.body").trim());
      expect(mails[0].text).not.toMatch(/https?:|token/);
      expect(mails[0].text).not.toContain("Paula");

      // The old password no longer opens anything; a self-service reset mail is not sent either
      // (a mailbox alone must not lead to enrolment); the page answers as for any address.
      expect((await post(new CookieJar(), "/login", { email: person.email, password: person.password }, "/login")).statusCode).toBe(401);
      const selfReset = await post(new CookieJar(), "/account/reset", { email: person.email }, "/account/reset");
      expect(selfReset.statusCode).toBe(200);
      expect(received()).toEqual([]);

      // The link sets a new password once; the next login goes to enrolment, not in.
      const jar = new CookieJar();
      expect((await post(jar, "/account/reset/new", { token, password: STRONG, confirm: STRONG }, `/account/reset/new?token=${token}`)).headers.location).toBe("/login");
      expect((await post(new CookieJar(), "/account/reset/new", { token, password: STRONG, confirm: STRONG }, `/account/reset/new?token=${token}`)).statusCode).toBe(400);
      const step1 = await post(jar, "/login", { email: person.email, password: STRONG }, "/login");
      expect(step1.headers.location).toBe("/account/mfa/setup");
      expect((await get(jar, "/api/v1/me")).statusCode).toBe(401);
      const setup = await get(jar, "/account/mfa/setup");
      const newSecret = /data-secret="([A-Z2-7]+)"/.exec(setup.body)![1];
      expect(newSecret).not.toBe(person.totpSecret);
      const enrolled = await post(jar, "/account/mfa/setup", { code: await generate({ secret: newSecret }) }, "/account/mfa/setup");
      expect(enrolled.statusCode).toBe(200);
      const newCodes = [...enrolled.body.matchAll(/<li><code>([0-9A-Z-]{29})<\/code><\/li>/g)].map((m) => m[1]);
      expect(newCodes).toHaveLength(10);
      expect((await get(jar, "/api/v1/me")).statusCode).toBe(200);

      // A later login: the old recovery code and the old authenticator are refused, the new factor works.
      const later = new CookieJar();
      expect((await post(later, "/login", { email: person.email, password: STRONG }, "/login")).headers.location).toBe("/login/mfa");
      expect((await post(later, "/login/mfa", { code: oldCodes[0] }, "/login/mfa")).statusCode).toBe(401);
      expect((await post(later, "/login/mfa", { code: await generate({ secret: person.totpSecret }) }, "/login/mfa")).statusCode).toBe(401);
      await db().deleteFrom("login_throttle").execute();
      const inside = await post(later, "/login/mfa", { code: newCodes[0] }, "/login/mfa");
      expect(inside.statusCode).toBe(303);
      expect((await get(later, "/api/v1/me")).json().id).toBe(person.id);
    });

    it("not on one's own account; analyst and chair get 403; a request without the CSRF token is refused; nothing changes", async () => {
      const me = await createUser(ctx, { platformRoles: ["admin"] });
      const admin = await login(app, me);
      const own = await app.inject({ method: "GET", url: `/admin/accounts/${me.id}`, headers: admin.headers() });
      expect(own.body).not.toContain(`/admin/accounts/${me.id}/mfa-reset`);
      expect((await app.inject({ method: "GET", url: `/admin/accounts/${me.id}/mfa-reset`, headers: admin.headers() })).statusCode).toBe(400);
      const self = await app.inject({ method: "POST", url: `/admin/accounts/${me.id}/mfa-reset`, headers: admin.headers({ form: true }), payload: admin.form({ identity_verified: "yes" }) });
      expect(self.statusCode).toBe(400);
      expect((await findUser(db(), me.id))!.totp_secret).not.toBeNull();
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: admin.headers() })).statusCode).toBe(200);
      expect(await auditOf(me.id, "account.mfa.reset")).toEqual(["denied"]);

      const person = await createUser(ctx);
      await withRecoveryCodes(person);
      const analyst = await login(app, await createUser(ctx, { platformRoles: ["regional_analyst"] }));
      const chair = await login(app, await createUser(ctx, { roles: [{ livcId: "livc-rec", role: "chair" }] }));
      for (const s of [analyst, chair]) {
        expect((await app.inject({ method: "GET", url: `/admin/accounts/${person.id}/mfa-reset`, headers: s.headers() })).statusCode).toBe(403);
        const r = await app.inject({ method: "POST", url: `/admin/accounts/${person.id}/mfa-reset`, headers: s.headers({ form: true }), payload: s.form({ identity_verified: "yes" }) });
        expect(r.statusCode).toBe(403);
      }
      const noCsrf = await app.inject({
        method: "POST",
        url: `/admin/accounts/${person.id}/mfa-reset`,
        headers: admin.headers({ form: true }),
        payload: new URLSearchParams({ identity_verified: "yes" }).toString(),
      });
      expect(noCsrf.statusCode).toBe(403);
      const row = (await findUser(db(), person.id))!;
      expect(row.totp_secret).not.toBeNull();
      expect(row.password_hash).not.toBeNull();
      expect(await count("recovery_code", person.id)).toBe(10);
      expect(await auditOf(person.id, "account.mfa.reset")).toEqual([]);
    });
  });
}
