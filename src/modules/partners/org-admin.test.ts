import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { municipalitiesOn } from "../reference/service";
import { organisationContacts, organisationMunicipalities } from "./service";
import { auditActions, makeOrg } from "./testkit";

describeEachDialect("Organisation administration over HTTP", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let chair: LoginSession;
  let contact: TestUser;
  let orgId = "";
  let nis = "";
  let nisName = "";

  const post = (s: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const page = (s: LoginSession, url: string) => app.inject({ method: "GET", url, headers: s.headers() });

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    chair = await login(app, await createUser(ctx(), { roles: [{ livcId: "livc-x", role: "chair" }] }));
    contact = await createUser(ctx(), { displayName: "Contact Persoon" });
    orgId = await makeOrg(ctx(), "CAW Test", "caw");
    const today = (await municipalitiesOn(ctx().database.db, todayInBrussels()))[0];
    nis = today.nis;
    nisName = today.name;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("an admin creates an organisation with a sector; the change is audited and it is listed", async () => {
    const res = await post(admin, "/admin/organisations", { name: "Jeugdhuis De Schakel", sector: "youth_work" });
    expect(res.statusCode).toBe(303);
    const id = /^\/admin\/organisations\/([0-9a-f-]{36})\?done=created$/.exec(String(res.headers.location))?.[1];
    expect(id).toBeDefined();
    expect(await auditActions(ctx(), id!)).toEqual(["partners.organisation.create"]);
    const list = await page(admin, "/admin/organisations");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/admin/organisations/${id}"`);
    expect(list.body).toContain("Jeugdwerk");
    const again = await post(admin, "/admin/organisations", { name: "jeugdhuis de schakel", sector: "youth_work" });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('href="#name"');
    expect(again.body).toContain("Er bestaat al een organisatie met deze naam");
  });

  it("refuses a new organisation without name or with an unknown sector, with linked field errors and the typed input kept", async () => {
    const res = await post(admin, "/admin/organisations", { name: "  ", sector: "astrology" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#name"');
    expect(res.body).toContain('href="#sector"');
    expect(res.body).toContain('id="sector-error"');
    const bad = await post(admin, "/admin/organisations", { name: "Naam <b>ok</b>", sector: "" });
    expect(bad.body).toContain('value="Naam &lt;b>ok&lt;/b>"');
  });

  it("adds a municipality valid today and a contact by e-mail, each audited, shown on the page and counted in the list", async () => {
    const m = await post(admin, `/admin/organisations/${orgId}/municipalities`, { nis });
    expect(m.statusCode).toBe(303);
    expect(await organisationMunicipalities(ctx(), orgId)).toEqual([nis]);
    const c = await post(admin, `/admin/organisations/${orgId}/contacts`, { email: `  ${contact.email.toUpperCase()} ` });
    expect(c.statusCode).toBe(303);
    expect((await organisationContacts(ctx(), [orgId])).map((x) => x.user_id)).toEqual([contact.id]);
    expect(await auditActions(ctx(), orgId)).toEqual(["partners.organisation.municipalities", "partners.organisation.contact.add"]);
    const detail = await page(admin, `/admin/organisations/${orgId}?done=saved`);
    expect(detail.body).toContain(nisName);
    expect(detail.body).toContain("Contact Persoon");
    expect(detail.body).toContain("De wijziging is opgeslagen.");
    const list = await page(admin, "/admin/organisations");
    const row = list.body.slice(list.body.indexOf(`/admin/organisations/${orgId}`));
    expect(row.slice(0, row.indexOf("</tr>"))).toMatch(/<td class="num">1<\/td><td class="num">1<\/td>/);
  });

  it("refuses an unknown NIS code, a retired one and an unknown e-mail with field errors, keeping the typed input", async () => {
    const unknown = await post(admin, `/admin/organisations/${orgId}/municipalities`, { nis: "99999" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('href="#nis"');
    expect(unknown.body).toContain('id="nis-error"');
    expect(unknown.body).toContain('value="99999"');
    const ended = await ctx().database.db.selectFrom("municipality").select("nis").where("valid_to", "<", todayInBrussels()).execute();
    const validToday = new Set((await municipalitiesOn(ctx().database.db, todayInBrussels())).map((r) => r.nis));
    const retired = ended.find((r) => !validToday.has(r.nis));
    expect(retired).toBeDefined();
    expect((await post(admin, `/admin/organisations/${orgId}/municipalities`, { nis: retired!.nis })).statusCode).toBe(400);
    const mail = await post(admin, `/admin/organisations/${orgId}/contacts`, { email: "niemand@test.schakel.invalid" });
    expect(mail.statusCode).toBe(400);
    expect(mail.body).toContain('href="#email"');
    expect(mail.body).toContain('id="email-error"');
    expect(mail.body).toContain('value="niemand@test.schakel.invalid"');
    expect(await organisationMunicipalities(ctx(), orgId)).toEqual([nis]);
    expect(await organisationContacts(ctx(), [orgId])).toHaveLength(1);
  });

  it("removes the municipality and the contact (audited); the pages speak French and English", async () => {
    expect((await post(admin, `/admin/organisations/${orgId}/municipalities/remove`, { nis })).statusCode).toBe(303);
    expect((await post(admin, `/admin/organisations/${orgId}/contacts/remove`, { user_id: contact.id })).statusCode).toBe(303);
    expect(await organisationMunicipalities(ctx(), orgId)).toEqual([]);
    expect(await organisationContacts(ctx(), [orgId])).toEqual([]);
    expect((await auditActions(ctx(), orgId)).slice(-2)).toEqual(["partners.organisation.municipalities", "partners.organisation.contact.remove"]);
    // ?lang= (the login now sets the account's language cookie, which outranks Accept-Language: decision 0035).
    const fr = await app.inject({ method: "GET", url: `/admin/organisations/${orgId}?lang=fr`, headers: admin.headers() });
    expect(fr.body).toContain("Code INS de la commune");
    const en = await app.inject({ method: "GET", url: "/admin/organisations?lang=en", headers: admin.headers() });
    expect(en.body).toContain("New organisation");
  });

  it("a non-admin gets 403 on every page and change; a form without the CSRF field is refused", async () => {
    expect((await page(chair, "/admin/organisations")).statusCode).toBe(403);
    expect((await page(chair, `/admin/organisations/${orgId}`)).statusCode).toBe(403);
    expect((await post(chair, `/admin/organisations/${orgId}/municipalities`, { nis })).statusCode).toBe(403);
    expect((await post(chair, `/admin/organisations/${orgId}/contacts`, { email: contact.email })).statusCode).toBe(403);
    expect((await post(chair, "/admin/organisations", { name: "X", sector: "caw" })).statusCode).toBe(403);
    const noCsrf = await app.inject({ method: "POST", url: `/admin/organisations/${orgId}/municipalities`, headers: admin.headers({ form: true }), payload: `nis=${nis}` });
    expect(noCsrf.statusCode).toBe(403);
    expect(await organisationMunicipalities(ctx(), orgId)).toEqual([]);
  });
});
