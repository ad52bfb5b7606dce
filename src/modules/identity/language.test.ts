import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { findUser, findUserByEmail } from "./store";

/**
 * Each account's language (decision 0035): chosen by the administrator at creation (default nl),
 * changed by the person on /account (CSRF form; the change and its audit entry in one transaction).
 */
describeEachDialect("account language: creation and /account", (ctx, dialect) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let adminId: string;
  const db = () => ctx().database.db;
  const post = (s: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const languageAudits = async (userId: string) =>
    (await db().selectFrom("audit_entry").select(["outcome", "actor_id"]).where("action", "=", "account.language.change").where("resource_id", "=", userId).orderBy("seq").execute()).map(
      (a) => `${a.outcome}:${a.actor_id === userId ? "self" : a.actor_id}`,
    );

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    const adminUser = await createUser(ctx(), { platformRoles: ["admin"] });
    adminId = adminUser.id;
    admin = await login(app, adminUser);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("an administrator creates an account in French (form and API); Dutch when none is chosen; the account page shows it", async () => {
    const form = await app.inject({ method: "GET", url: "/admin/accounts/new", headers: admin.headers() });
    expect(form.body).toContain('<select id="language" name="language" aria-describedby="language-hint">');
    expect(form.body).toContain('<option value="nl" lang="nl" selected>Nederlands</option>');
    expect(form.body).toContain('<option value="fr" lang="fr">Français</option>');

    const fr = await post(admin, "/admin/accounts", { display_name: "Amélie Francophone", email: `fr-${dialect}@test.schakel.invalid`, language: "fr" });
    expect(fr.statusCode).toBe(200);
    const frUser = (await findUserByEmail(db(), `fr-${dialect}@test.schakel.invalid`))!;
    expect(frUser.language).toBe("fr");
    expect(fr.body).toContain('<dd id="account-language" lang="fr">Français</dd>');

    await post(admin, "/admin/accounts", { display_name: "Standaard Nederlands", email: `nl-${dialect}@test.schakel.invalid` });
    expect((await findUserByEmail(db(), `nl-${dialect}@test.schakel.invalid`))!.language).toBe("nl");

    const api = await app.inject({
      method: "POST",
      url: "/api/v1/admin/accounts",
      headers: admin.headers({ json: true }),
      payload: { display_name: "English Speaker", email: `en-${dialect}@test.schakel.invalid`, language: "en" },
    });
    expect(api.statusCode).toBe(201);
    expect((await findUser(db(), api.json().id))!.language).toBe("en");
  });

  it("refuses an unknown language at creation with the error summary linked to the field and the typed input kept; nothing is created", async () => {
    const res = await post(admin, "/admin/accounts", { display_name: "Deutsche Sprache", email: `de-${dialect}@test.schakel.invalid`, language: "de" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('class="error-summary"');
    expect(res.body).toContain('<a href="#language">Kies Nederlands, Français of English.</a>');
    expect(res.body).toContain('id="language-error"');
    expect(res.body).toContain('value="Deutsche Sprache"');
    expect(await findUserByEmail(db(), `de-${dialect}@test.schakel.invalid`)).toBeUndefined();
    // The database refuses another value too, whatever the route does.
    const user = await createUser(ctx());
    await expect(sql`update app_user set language = 'de' where id = ${user.id}`.execute(db())).rejects.toThrow();
  });

  it("the person changes their language on /account: it persists, is audited, and the UI follows at once", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const page = await app.inject({ method: "GET", url: "/account", headers: s.headers() });
    expect(page.body).toContain('<form method="post" action="/account/language" novalidate>');
    expect(page.body).toContain('<option value="nl" lang="nl" selected>Nederlands</option>');

    const saved = await post(s, "/account/language", { language: "fr" });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe("/account?saved=language");
    const cookie = saved.cookies.find((c) => c.name === "schakel_lang");
    expect(cookie).toMatchObject({ value: "fr", path: "/", httpOnly: true, sameSite: "Lax" });
    expect((await findUser(db(), user.id))!.language).toBe("fr");
    expect(await languageAudits(user.id)).toEqual(["success:self"]);

    s.jar.take(saved);
    const after = await app.inject({ method: "GET", url: "/account?saved=language", headers: s.headers() });
    expect(after.body).toContain('<html lang="fr"');
    expect(after.body).toContain("Votre langue est enregistrée.");
    expect(after.body).toContain('<option value="fr" lang="fr" selected>Français</option>');
    // Without ?saved the notice is not shown.
    expect((await app.inject({ method: "GET", url: "/account", headers: s.headers() })).body).not.toContain("Votre langue est enregistrée.");
  });

  it("an administrator changes an existing account's language on its admin page; others may not; an unknown language is refused with the summary", async () => {
    const user = await createUser(ctx());
    const page = await app.inject({ method: "GET", url: `/admin/accounts/${user.id}`, headers: admin.headers() });
    expect(page.body).toContain(`<form method="post" action="/admin/accounts/${user.id}/language" novalidate>`);
    const saved = await post(admin, `/admin/accounts/${user.id}/language`, { language: "en" });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/accounts/${user.id}?saved=language`);
    expect((await findUser(db(), user.id))!.language).toBe("en");
    expect(await languageAudits(user.id)).toEqual([`success:${adminId}`]);
    // The administrator's own UI language does not change with it.
    expect(saved.cookies.find((c) => c.name === "schakel_lang")).toBeUndefined();
    const after = await app.inject({ method: "GET", url: `/admin/accounts/${user.id}?saved=language`, headers: admin.headers() });
    expect(after.body).toContain("De taal van het account is opgeslagen.");
    expect(after.body).toContain('<dd id="account-language" lang="en">English</dd>');

    const unknown = await post(admin, `/admin/accounts/${user.id}/language`, { language: "de" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('<a href="#language">Kies Nederlands, Français of English.</a>');
    expect(unknown.body).toContain('aria-invalid="true"');
    const partner = await login(app, await createUser(ctx()));
    expect((await post(partner, `/admin/accounts/${user.id}/language`, { language: "fr" })).statusCode).toBe(403);
    const noToken = await app.inject({ method: "POST", url: `/admin/accounts/${user.id}/language`, headers: admin.headers({ form: true }), payload: "language=fr" });
    expect(noToken.statusCode).toBe(403);
    expect((await findUser(db(), user.id))!.language).toBe("en");
    expect((await post(admin, "/admin/accounts/00000000-0000-4000-8000-000000000000/language", { language: "fr" })).statusCode).toBe(404);
  });

  it("refuses a change without or with a wrong CSRF token, an unknown language, and anyone not logged in; nothing changes", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    const noToken = await app.inject({ method: "POST", url: "/account/language", headers: s.headers({ form: true }), payload: "language=en" });
    expect(noToken.statusCode).toBe(403);
    const wrong = await app.inject({ method: "POST", url: "/account/language", headers: s.headers({ form: true }), payload: "language=en&_csrf=not-the-token" });
    expect(wrong.statusCode).toBe(403);
    const unknown = await post(s, "/account/language", { language: "de" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('<a href="#language">Kies Nederlands, Français of English.</a>');
    expect(unknown.body).toContain('aria-invalid="true"');
    const anonymous = await app.inject({ method: "POST", url: "/account/language", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "language=en" });
    expect(anonymous.statusCode).toBeGreaterThanOrEqual(300);
    expect(anonymous.statusCode).not.toBe(200);
    expect((await findUser(db(), user.id))!.language).toBe("nl");
    expect(await languageAudits(user.id)).toEqual([]);
  });

  it("the change rolls back when its audit entry cannot be written (a trigger refuses it)", async () => {
    const user = await createUser(ctx());
    const s = await login(app, user);
    if (dialect === "sqlite") {
      await sql.raw("create trigger refuse_language_audit before insert on audit_entry for each row when new.action = 'account.language.change' begin select raise(abort, 'audit refused'); end").execute(db());
    } else {
      await sql.raw("create or replace function refuse_language_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db());
      await sql.raw("create trigger refuse_language_audit before insert on audit_entry for each row when (new.action = 'account.language.change') execute function refuse_language_audit()").execute(db());
    }
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res = await post(s, "/account/language", { language: "en" });
    } finally {
      await sql.raw(dialect === "sqlite" ? "drop trigger refuse_language_audit" : "drop trigger refuse_language_audit on audit_entry").execute(db());
    }
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(res.cookies.find((c) => c.name === "schakel_lang")).toBeUndefined();
    expect((await findUser(db(), user.id))!.language).toBe("nl");
  });
});
