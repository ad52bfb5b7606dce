import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, login } from "../../../test/support/auth";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { type ReadMail, readMail } from "../../../test/support/mail";
import { type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { translator } from "../../platform/i18n";
import { buildApp } from "../../platform/web/app";
import { createSession } from "../../platform/auth/session";
import { toCount } from "../../platform/db/values";
import { findUser, updateUser } from "./store";
import { issueToken, peekToken } from "./tokens";

/**
 * Account details (decision 0045): an administrator changes name and e-mail address (the OLD address
 * is told, on a REAL SMTP receiver); the person changes only their own name. SQLite and PostgreSQL.
 */
for (const dialect of activeDialects()) {
  describe(`account details: name and e-mail address [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let ctx: TestContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      ctx = await openTestContext(dialect, { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
      app = await buildApp(ctx, { logger: false });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await ctx?.close();
      await smtp?.stop();
    });

    const db = () => ctx.database.db;
    const received = (): ReadMail[] => smtp.inbox.splice(0).map(readMail);
    const auditOf = async (userId: string) =>
      (await db().selectFrom("audit_entry").select("outcome").where("resource_id", "=", userId).where("action", "=", "account.details.change").execute()).map((e) => e.outcome);
    const passwordStep = async (email: string, password: string) => {
      const jar = new CookieJar();
      const page = await app.inject({ method: "GET", url: "/login" });
      jar.take(page);
      return app.inject({ method: "POST", url: "/login", headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), email, password }).toString() });
    };

    it("an administrator changes name and address: a taken address and an empty name are refused with the typed input kept; the old address gets the notice in the account's language; login works with the new address only", async () => {
      const person = await createUser(ctx, { displayName: "Emma Fusie" });
      await updateUser(db(), person.id, { language: "en" });
      const other = await createUser(ctx);
      const admin = await login(app, await createUser(ctx, { platformRoles: ["admin"] }));
      const save = (fields: Record<string, string>) => app.inject({ method: "POST", url: `/admin/accounts/${person.id}/details`, headers: admin.headers({ form: true }), payload: admin.form(fields) });
      smtp.inbox.length = 0;

      const page = await app.inject({ method: "GET", url: `/admin/accounts/${person.id}`, headers: admin.headers() });
      expect(page.body).toContain(`action="/admin/accounts/${person.id}/details"`);
      expect(page.body).toContain(`value="${person.email}"`);

      const taken = await save({ display_name: "Emma Nieuw", email: `  ${other.email.toUpperCase()} ` });
      expect(taken.statusCode).toBe(400);
      expect(taken.body).toContain('href="#email"');
      expect(taken.body).toContain('value="Emma Nieuw"');
      const empty = await save({ display_name: "   ", email: "nieuw-adres@fusie.example" });
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('href="#display_name"');
      expect(empty.body).toContain('value="nieuw-adres@fusie.example"');
      expect((await save({ display_name: "x".repeat(121), email: "nieuw-adres@fusie.example" })).statusCode).toBe(400);
      expect((await save({ display_name: "Emma Nieuw", email: "geen-adres" })).body).toContain('href="#email"');
      const unchanged = (await findUser(db(), person.id))!;
      expect([unchanged.display_name, unchanged.email]).toEqual(["Emma Fusie", person.email]);
      expect(received()).toEqual([]);
      expect(await auditOf(person.id)).toEqual([]);

      const ok = await save({ display_name: " Emma Nieuwgemeente ", email: " Emma.Fusie@NieuweGemeente.example " });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe(`/admin/accounts/${person.id}?saved=details`);
      const row = (await findUser(db(), person.id))!;
      expect([row.display_name, row.email]).toEqual(["Emma Nieuwgemeente", "emma.fusie@nieuwegemeente.example"]);
      expect(await auditOf(person.id)).toEqual(["success"]);

      // The notice goes to the OLD address only, in English only, without names or the new address.
      const mails = received();
      expect(mails.map((m) => m.to)).toEqual([[person.email]]);
      const en = translator("en");
      expect(mails[0].subject).toBe(en("det.mail.subject"));
      expect(mails[0].text.trim()).toBe(en("det.mail.body").trim());
      expect(mails[0].text).not.toMatch(/nieuwegemeente|Emma/i);

      expect((await passwordStep(person.email, person.password)).statusCode).toBe(401);
      const again = await login(app, { ...person, email: "emma.fusie@nieuwegemeente.example" });
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: again.headers() })).json().display_name).toBe("Emma Nieuwgemeente");

      // A name-only change: audited, no mail.
      expect((await save({ display_name: "Emma N.", email: "emma.fusie@nieuwegemeente.example" })).statusCode).toBe(303);
      expect(received()).toEqual([]);
      expect(await auditOf(person.id)).toEqual(["success", "success"]);
    });

    it("a new address ends every session of the person and their unused reset link in the change's transaction (audited); a name-only change keeps them; the old address is told, in Dutch, without the new address or a name", async () => {
      const person = await createUser(ctx, { displayName: "Wout Verhuisd" });
      const web = await login(app, person);
      // A second session (an SSO login elsewhere), made by the real session function: no second TOTP step to wait for.
      await createSession(db(), person.id, "full", "oidc", null, "sid-elders");
      const admin = await login(app, await createUser(ctx, { platformRoles: ["admin"] }));
      const save = (fields: Record<string, string>) => app.inject({ method: "POST", url: `/admin/accounts/${person.id}/details`, headers: admin.headers({ form: true }), payload: admin.form(fields) });
      const me = (s: typeof web) => app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() });
      const sessions = async () => toCount((await db().selectFrom("session").select((eb) => eb.fn.countAll().as("n")).where("user_id", "=", person.id).executeTakeFirstOrThrow()).n);
      const endAudit = async () => (await db().selectFrom("audit_entry").select("outcome").where("resource_id", "=", person.id).where("action", "=", "account.end-sessions").execute()).map((e) => e.outcome);
      // A self-service reset link mailed earlier to the old address.
      const resetToken = await issueToken(ctx, person.id, "reset");
      smtp.inbox.length = 0;

      const page = await app.inject({ method: "GET", url: `/admin/accounts/${person.id}`, headers: admin.headers() });
      expect(page.body).toContain(translator("nl")("det.email.hint"));

      expect((await save({ display_name: "Wout V.", email: person.email })).statusCode).toBe(303);
      expect((await me(web)).statusCode).toBe(200);
      expect(await endAudit()).toEqual([]);
      expect(await peekToken(ctx, resetToken, "reset")).not.toBeNull();
      expect(received()).toEqual([]);

      expect(await sessions()).toBe(2);
      expect((await save({ display_name: "Wout V.", email: "wout@verhuisd.example" })).statusCode).toBe(303);
      expect(await sessions()).toBe(0);
      expect((await me(web)).statusCode).toBe(401);
      expect(await peekToken(ctx, resetToken, "reset")).toBeNull();
      expect(await endAudit()).toEqual(["success"]);
      expect(await auditOf(person.id)).toEqual(["success", "success"]);
      // The administrator's own session is untouched.
      expect((await me(admin)).statusCode).toBe(200);

      const mails = received();
      expect(mails.map((m) => m.to)).toEqual([[person.email]]);
      const nl = translator("nl");
      expect(mails[0].subject).toBe(nl("det.mail.subject"));
      expect(mails[0].text.trim()).toBe(nl("det.mail.body").trim());
      expect(mails[0].text).toMatch(/overal afgemeld/);
      expect(mails[0].text).toMatch(/beheerder van uw organisatie of LIVC/);
      expect(mails[0].text).not.toMatch(/verhuisd|Wout|https?:/i);
    });

    it("an administrator who changes their own address ends their own sessions too and logs in again with the new address", async () => {
      const me = await createUser(ctx, { platformRoles: ["admin"] });
      const s = await login(app, me);
      const r = await app.inject({ method: "POST", url: `/admin/accounts/${me.id}/details`, headers: s.headers({ form: true }), payload: s.form({ display_name: me.displayName, email: "beheer@nieuw.example" }) });
      expect(r.statusCode).toBe(303);
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: s.headers() })).statusCode).toBe(401);
      const again = await login(app, { ...me, email: "beheer@nieuw.example" });
      expect((await app.inject({ method: "GET", url: "/api/v1/me", headers: again.headers() })).statusCode).toBe(200);
      smtp.inbox.length = 0;
    });

    it("the person changes their own name on /account but not their address; an empty name is refused with the error linked; others get 403 on the administrator's form", async () => {
      const person = await createUser(ctx, { displayName: "Jonas Eigen" });
      const s = await login(app, person);
      const account = await app.inject({ method: "GET", url: "/account", headers: s.headers() });
      expect(account.body).toContain('action="/account/name"');
      const empty = await app.inject({ method: "POST", url: "/account/name", headers: s.headers({ form: true }), payload: s.form({ display_name: "" }) });
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('href="#display_name"');
      const ok = await app.inject({ method: "POST", url: "/account/name", headers: s.headers({ form: true }), payload: s.form({ display_name: "Jonas Eigenaar", email: "overname@elders.example" }) });
      expect(ok.headers.location).toBe("/account?saved=name");
      const row = (await findUser(db(), person.id))!;
      expect([row.display_name, row.email]).toEqual(["Jonas Eigenaar", person.email]);
      expect(await auditOf(person.id)).toEqual(["success"]);
      expect((await app.inject({ method: "GET", url: "/account?saved=name", headers: s.headers() })).body).toContain("Jonas Eigenaar");
      // Without the CSRF token: refused, nothing changes.
      const noCsrf = await app.inject({ method: "POST", url: "/account/name", headers: s.headers({ form: true }), payload: "display_name=Iemand+Anders" });
      expect(noCsrf.statusCode).toBe(403);
      // The administrator's form is for administrators only.
      const r = await app.inject({ method: "POST", url: `/admin/accounts/${person.id}/details`, headers: s.headers({ form: true }), payload: s.form({ display_name: "X", email: "x@elders.example" }) });
      expect(r.statusCode).toBe(403);
      expect((await findUser(db(), person.id))!.display_name).toBe("Jonas Eigenaar");
    });
  });
}
