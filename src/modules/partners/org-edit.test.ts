import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { participationFigures } from "./report";
import { sendInvitation } from "./service";
import { revision } from "./store";
import { auditActions, makeLivc, makeOrg, system } from "./testkit";

describeEachDialect("Organisation administration: name and sector", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  let chair: LoginSession;
  let orgId = "";
  let otherName = "";

  const db = () => ctx().database.db;
  const post = (s: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: s.form(fields) });
  const page = (s: LoginSession, url: string) => app.inject({ method: "GET", url, headers: s.headers() });
  const row = () => db().selectFrom("organisation").select(["name", "sector"]).where("id", "=", orgId).executeTakeFirstOrThrow();
  const invitedBy = async (sector: string) => (await participationFigures(db(), todayInBrussels())).analysis.by_sector.find((f) => f.sector === sector)!.invitations.sent;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    chair = await login(app, await createUser(ctx(), { roles: [{ livcId: "livc-x", role: "chair" }] }));
    orgId = await makeOrg(ctx(), "CAW Hernoemd", "caw");
    const other = await makeOrg(ctx(), "Jeugddienst Bezet", "youth_work");
    otherName = (await db().selectFrom("organisation").select("name").where("id", "=", other).executeTakeFirstOrThrow()).name;
    const livc = await makeLivc(ctx(), "LIVC Hernoemstad", ["44021"]);
    await sendInvitation(ctx(), system, { livcId: livc, organisationId: orgId, kind: "structural" });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("the organisation's page shows the form filled with its name and sector", async () => {
    const res = await page(admin, `/admin/organisations/${orgId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`action="/admin/organisations/${orgId}/edit"`);
    expect(res.body).toContain(`value="${(await row()).name}"`);
    expect(res.body).toContain('<option value="caw" selected>');
  });

  it("renames and changes the sector: one audit entry per changed field (names only), the participation figures move to the new sector at once", async () => {
    const before = await row();
    expect(await invitedBy("caw")).toBeGreaterThanOrEqual(1);
    const cawBefore = await invitedBy("caw");
    const youthBefore = await invitedBy("youth_work");
    const token = await revision(db());
    const res = await post(admin, `/admin/organisations/${orgId}/edit`, { name: "  Jeugdhuis Nieuw  ", sector: "youth_work" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/organisations/${orgId}?done=saved`);
    expect(await row()).toEqual({ name: "Jeugdhuis Nieuw", sector: "youth_work" });
    // The cached figures (computed above) are not served again: the invitation now counts for youth work.
    expect(await invitedBy("caw")).toBe(cawBefore - 1);
    expect(await invitedBy("youth_work")).toBe(youthBefore + 1);
    expect(await revision(db())).not.toBe(token);
    const updates = (await auditActions(ctx(), orgId)).filter((a) => a.startsWith("partners.organisation.update"));
    expect(updates).toEqual(["partners.organisation.update.name", "partners.organisation.update.sector"]);
    const entries = await db().selectFrom("audit_entry").selectAll().where("resource_id", "=", orgId).where("action", "like", "partners.organisation.update%").execute();
    for (const text of [before.name, "Jeugdhuis Nieuw", "caw", "youth_work"]) expect(JSON.stringify(entries)).not.toContain(text);
    const shown = await page(admin, `/admin/organisations/${orgId}?done=saved`);
    expect(shown.body).toContain("<h1>Jeugdhuis Nieuw</h1>");
    expect(shown.body).toContain("<dd>Jeugdwerk</dd>");
    expect(shown.body).toContain("De wijziging is opgeslagen.");
  });

  it("only the sector: one entry; the same values again: nothing written; a change of case in its own name is allowed", async () => {
    expect((await post(admin, `/admin/organisations/${orgId}/edit`, { name: "Jeugdhuis Nieuw", sector: "caw" })).statusCode).toBe(303);
    const updates = async () => (await auditActions(ctx(), orgId)).filter((a) => a.startsWith("partners.organisation.update"));
    expect(await updates()).toEqual(["partners.organisation.update.name", "partners.organisation.update.sector", "partners.organisation.update.sector"]);
    const token = await revision(db());
    const same = await post(admin, `/admin/organisations/${orgId}/edit`, { name: "Jeugdhuis Nieuw", sector: "caw" });
    expect(same.headers.location).toBe(`/admin/organisations/${orgId}?done=unchanged`);
    expect((await updates()).length).toBe(3);
    expect(await revision(db())).toBe(token);
    expect((await page(admin, `/admin/organisations/${orgId}?done=unchanged`)).body).toContain("Er is niets gewijzigd.");
    expect((await post(admin, `/admin/organisations/${orgId}/edit`, { name: "JEUGDHUIS NIEUW", sector: "caw" })).statusCode).toBe(303);
    expect((await row()).name).toBe("JEUGDHUIS NIEUW");
  });

  it("refuses an empty name, an unknown sector and another organisation's name (any case, spaces), with linked errors and the typed input kept", async () => {
    const before = await row();
    const token = await revision(db());
    const bad = await post(admin, `/admin/organisations/${orgId}/edit`, { name: "   ", sector: "astrology" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<a href="#name">Vul de naam van de organisatie in (hoogstens 200 tekens)</a>');
    expect(bad.body).toContain('<a href="#sector">Kies een sector</a>');
    expect(bad.body).toContain('id="name-error"');
    expect(bad.body).toContain('id="sector-error"');
    const long = await post(admin, `/admin/organisations/${orgId}/edit`, { name: "x".repeat(201), sector: "caw" });
    expect(long.statusCode).toBe(400);
    const taken = await post(admin, `/admin/organisations/${orgId}/edit`, { name: ` ${otherName.toUpperCase()} `, sector: "clb" });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('<a href="#name">Er bestaat al een organisatie met deze naam</a>');
    expect(taken.body).toContain(`value=" ${otherName.toUpperCase()} "`);
    expect(taken.body).toContain('<option value="clb" selected>');
    expect(await row()).toEqual(before);
    expect(await revision(db())).toBe(token);
    expect((await post(admin, "/admin/organisations/00000000-0000-4000-8000-000000000000/edit", { name: "X", sector: "caw" })).statusCode).toBe(404);
  });

  it("a non-admin gets 403; a form without or with a wrong CSRF token is refused; the form speaks French and English", async () => {
    const before = await row();
    expect((await post(chair, `/admin/organisations/${orgId}/edit`, { name: "Overgenomen", sector: "caw" })).statusCode).toBe(403);
    const noCsrf = await app.inject({ method: "POST", url: `/admin/organisations/${orgId}/edit`, headers: admin.headers({ form: true }), payload: "name=Zonder&sector=caw" });
    expect(noCsrf.statusCode).toBe(403);
    const wrong = await app.inject({ method: "POST", url: `/admin/organisations/${orgId}/edit`, headers: admin.headers({ form: true }), payload: "name=Fout&sector=caw&_csrf=wrong" });
    expect(wrong.statusCode).toBe(403);
    expect(await row()).toEqual(before);
    expect((await page(admin, `/admin/organisations/${orgId}?lang=fr`)).body).toContain("Enregistrer le nom et le secteur");
    expect((await page(admin, `/admin/organisations/${orgId}?lang=en`)).body).toContain("<h2>Name and sector</h2>");
  });
});
