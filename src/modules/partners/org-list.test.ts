import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { ensureOrganisation } from "../identity/service";
import { municipalitiesOn } from "../reference/service";
import { organisationPage } from "./org-list";
import * as store from "./store";

/** Rows of the organisation table on a page: [id, name, municipalities, contacts], in order. */
const rowsOf = (html: string) =>
  [...html.matchAll(/<a href="\/admin\/organisations\/([0-9a-f-]{36})">([^<]*)<\/a><\/td><td>[^<]*<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => ({
    id: m[1],
    name: m[2],
    municipalities: Number(m[3]),
    contacts: Number(m[4]),
  }));

describeEachDialect("organisation list at scale: search, pages of 50, order by name", (ctx) => {
  let app: FastifyInstance;
  let admin: LoginSession;
  // 103 organisations sharing "Orglijst", capitals and small letters mixed so a byte-wise sort differs.
  const made: { id: string; name: string }[] = [];
  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    for (let i = 0; i < 103; i++) {
      const letter = String.fromCharCode(97 + ((i * 11) % 26));
      const name = `${i % 2 ? letter.toUpperCase() : letter}${String(i).padStart(3, "0")} Orglijst`;
      made.push({ id: await ensureOrganisation(ctx(), { name, sector: "caw" }), name });
    }
  }, 120_000);
  afterAll(async () => app?.close());

  const byName = () => [...made].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  const get = (url: string, headers: Record<string, string> = admin.headers()) => app.inject({ method: "GET", url, headers });

  it("pages through every match exactly once, sorted by name regardless of capitals, with the total", async () => {
    const pages = await Promise.all([1, 2, 3].map((page) => organisationPage(ctx(), { search: "ORGLIJST", page })));
    expect(pages.map((p) => [p.total, p.pages, p.page, p.items.length])).toEqual([
      [103, 3, 1, 50],
      [103, 3, 2, 50],
      [103, 3, 3, 3],
    ]);
    expect(pages.flatMap((p) => p.items.map((o) => o.id))).toEqual(byName().map((o) => o.id));
    expect((await organisationPage(ctx(), { search: "orglijst", page: 50 })).page).toBe(3);
    const all = await organisationPage(ctx(), { size: 1000 });
    expect(all.total).toBe(all.items.length);
    expect(all.items.map((o) => o.id)).toEqual(expect.arrayContaining(made.map((o) => o.id)));
  });

  it("finds part of a name whatever the case, % and _ literally, and counts municipalities and contacts of the page's organisations", async () => {
    const db = ctx().database.db;
    const id = await ensureOrganisation(ctx(), { name: "Jeugdhuis De_Brug", sector: "youth_work" });
    const [a, b] = await municipalitiesOn(db, todayInBrussels());
    await store.setOrganisationMunicipalities(db, id, [a.nis, b.nis]);
    await store.addContact(db, id, (await createUser(ctx())).id);
    const found = await organisationPage(ctx(), { search: "  DE_BRUG " });
    expect(found.items).toEqual([{ id, name: "Jeugdhuis De_Brug", sector: "youth_work", municipalities: 2, contacts: 1 }]);
    expect((await organisationPage(ctx(), { search: "jeugdhuis de" })).items.map((o) => o.id)).toEqual([id]);
    // As wildcards, "s_d" would match "Jeugdhuis De" and "%" everything.
    expect((await organisationPage(ctx(), { search: "s_d" })).total).toBe(0);
    expect((await organisationPage(ctx(), { search: "%" })).total).toBe(0);
    const page = await get("/admin/organisations?q=de_brug");
    expect(rowsOf(page.body)).toEqual([{ id, name: "Jeugdhuis De_Brug", municipalities: 2, contacts: 1 }]);
  });

  it("shows 50 a page with previous/next links that keep the search, working without JavaScript", async () => {
    const first = await get("/admin/organisations?q=OrgLijst");
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<form method="get" action="/admin/organisations"');
    expect(first.body).toContain('value="OrgLijst"');
    expect(first.body).toContain("Gevonden organisaties: 103 (pagina 1 van 3)");
    expect(rowsOf(first.body).map((r) => r.id)).toEqual(byName().slice(0, 50).map((o) => o.id));
    expect(first.body).not.toContain('rel="prev"');
    expect(first.body).toContain('href="/admin/organisations?q=OrgLijst&amp;page=2" rel="next"');
    const last = await get("/admin/organisations?q=OrgLijst&page=3");
    expect(rowsOf(last.body).map((r) => r.name)).toEqual(byName().slice(100).map((o) => o.name));
    expect(last.body).toContain('href="/admin/organisations?q=OrgLijst&amp;page=2" rel="prev"');
    expect(last.body).not.toContain('rel="next"');
    const none = await get("/admin/organisations?q=zzz-geen-treffer");
    expect(none.body).toContain("Geen organisaties gevonden voor deze zoekopdracht.");
    expect(none.body).toContain('<a href="/admin/organisations">Alle organisaties tonen</a>');
    // The form for a new organisation stays on the page; a refused one shows the first page with the error.
    expect(none.body).toContain('action="/admin/organisations" novalidate');
    const all = await get("/admin/organisations");
    expect(rowsOf(all.body)).toHaveLength(50);
    expect(all.body).toContain('href="/admin/organisations?page=2" rel="next"');
    const refused = await app.inject({ method: "POST", url: "/admin/organisations?q=x&page=2", headers: admin.headers({ form: true }), payload: admin.form({ name: "", sector: "caw" }) });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('class="error-summary"');
    expect(rowsOf(refused.body)).toHaveLength(50);
    expect((await get("/admin/organisations?q=orglijst&page=2&lang=fr", admin.headers())).body).toContain("Organisations trouvées : 103 (page 2 sur 3)");
    expect((await get("/admin/organisations?q=orglijst&lang=en", admin.headers())).body).toContain("Organisations found: 103 (page 1 of 3)");
  });

  it("is for administrators only", async () => {
    const other = await login(app, await createUser(ctx()));
    expect((await get("/admin/organisations?q=orglijst", other.headers())).statusCode).toBe(403);
  });
});
