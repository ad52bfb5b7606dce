import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { addActions, overdueFor } from "./plan";
import { casePage, openCaseFromScreening } from "./service";
import { makeActor, makeLivc, makeOrganisation } from "./testing";

const rowsOf = (html: string) => [...html.matchAll(/<tr><td><a href="\/cases\/([0-9a-f-]{36})">/g)].map((m) => m[1]);

/** The case list in pages of 50 (issue 9), and a person search that never puts a name in a URL. */
describeEachDialect("case list pages", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let chair: TestUser;
  let lead: TestUser;
  // One login per account for the whole file (each TOTP step is accepted once per account).
  let chairLogin: ReturnType<typeof login> | undefined;
  const chairSession = () => (chairLogin ??= login(app, chair));
  const ids: string[] = [];

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeLivc(ctx(), `PG${Date.now() % 100000}`);
    chair = await createUser(ctx(), { roles: [{ livcId: livc, role: "chair" }] });
    // A second account: each account's TOTP step is accepted once, so one login per account and 30 s.
    lead = await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] });
    const coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator" }]);
    for (let i = 0; i < 53; i++) {
      const c = await openCaseFromScreening(ctx(), { actor: coordinator }, { livcId: livc, reportId: null, minor: false, identity: { fullName: `Persoon Fictief ${i}`, dateOfBirth: "2001-02-03" }, screeningDecision: "take_up" });
      ids.push(c.id);
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("gives 50 cases a page, newest first, with the total and links to the other page", async () => {
    const s = await chairSession();
    const first = await app.inject({ method: "GET", url: "/cases", headers: s.headers() });
    expect(first.statusCode).toBe(200);
    const page1 = rowsOf(first.body);
    expect(page1).toHaveLength(50);
    expect(page1[0]).toBe(ids[52]);
    expect(first.body).toContain("53 casussen, pagina 1 van 2");
    expect(first.body).toContain('href="/cases?page=2" rel="next"');
    expect(first.body).not.toContain('rel="prev"');

    const second = await app.inject({ method: "GET", url: "/cases?page=2", headers: s.headers() });
    const page2 = rowsOf(second.body);
    expect(page2).toEqual([ids[2], ids[1], ids[0]]);
    expect(new Set([...page1, ...page2]).size).toBe(53);
    expect(second.body).toContain('href="/cases?page=1" rel="prev"');
    expect(second.body).not.toContain('rel="next"');

    // Past the end: the last page; nonsense: the first.
    expect(rowsOf((await app.inject({ method: "GET", url: "/cases?page=99", headers: s.headers() })).body)).toEqual(page2);
    expect(rowsOf((await app.inject({ method: "GET", url: "/cases?page=abc", headers: s.headers() })).body)).toEqual(page1);

    // A label search keeps its term in the page links (every label of this cell starts with its code).
    const prefix = (await ctx().database.db.selectFrom("case_file").select("label").where("id", "=", ids[0]).executeTakeFirstOrThrow()).label!.slice(0, 6);
    const labelled = await app.inject({ method: "GET", url: `/cases?q=${encodeURIComponent(prefix)}`, headers: s.headers() });
    expect(rowsOf(labelled.body)).toHaveLength(50);
    expect(labelled.body).toContain(`href="/cases?q=${encodeURIComponent(prefix)}&amp;page=2"`);
  });

  it("the JSON API pages too, with the total, and refuses a bad page size", async () => {
    const s = await chairSession();
    const get = (qs: string) => app.inject({ method: "GET", url: `/api/v1/cases${qs}`, headers: s.headers() });
    const first = (await get("?per_page=20")).json() as { total: number; page: number; pages: number; per_page: number; cases: { id: string }[] };
    expect(first).toMatchObject({ total: 53, page: 1, pages: 3, per_page: 20 });
    expect(first.cases.map((c) => c.id)).toEqual(ids.slice(33).reverse());
    const last = (await get("?per_page=20&page=3")).json() as { cases: { id: string }[] };
    expect(last.cases.map((c) => c.id)).toEqual(ids.slice(0, 13).reverse());
    expect(((await get("")).json() as { cases: unknown[]; per_page: number }).cases).toHaveLength(53);
    expect((await get("?per_page=501")).statusCode).toBe(400);
    expect((await get("?page=0")).statusCode).toBe(400);
  });

  it("the service pages the same filter and counts it", async () => {
    const actor = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    const p = await casePage(ctx(), { actor }, {}, 2, 20);
    expect(p).toMatchObject({ total: 53, page: 2, pages: 3, size: 20 });
    expect(p.items.map((c) => c.id)).toEqual(ids.slice(13, 33).reverse());
    const none = await casePage(ctx(), { actor }, { q: "no-such-label" }, 1);
    expect(none).toMatchObject({ total: 0, page: 1, pages: 1, items: [] });
  });

  it("searches a person by POST only: the name never appears in a URL", async () => {
    const s = await chairSession();
    const page = await app.inject({ method: "GET", url: "/cases", headers: s.headers() });
    expect(page.body).toContain('<form method="post" action="/cases/search"');
    const found = await app.inject({ method: "POST", url: "/cases/search", headers: s.headers({ form: true }), payload: s.form({ name: "persoon  FICTIEF 7", dob: "2001-02-03" }) });
    expect(found.statusCode).toBe(200);
    expect(rowsOf(found.body)).toEqual([ids[7]]);
    expect(found.body).not.toMatch(/href="[^"]*name=/);
    // Without the CSRF token: refused.
    const forged = await app.inject({ method: "POST", url: "/cases/search", headers: { ...s.headers(), "content-type": "application/x-www-form-urlencoded" }, payload: "name=Persoon+Fictief+7&dob=2001-02-03" });
    expect(forged.statusCode).toBe(403);
    // A name in the query string is not a search: the plain first page.
    const viaUrl = await app.inject({ method: "GET", url: "/cases?name=Persoon+Fictief+7&dob=2001-02-03", headers: s.headers() });
    expect(rowsOf(viaUrl.body)).toHaveLength(50);
  });

  it("shows the 10 most overdue actions above the list and the whole work list on its own page", async () => {
    const org = await makeOrganisation(ctx(), "Werkdienst", "caw");
    // The coordinator works at the service, so it is a core service that may own the actions (decision 0061).
    const coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator", organisationId: org }]);
    const due = Array.from({ length: 12 }, (_, i) => `2025-0${1 + Math.floor(i / 3)}-1${i % 3}`);
    await addActions(ctx(), { actor: coordinator }, ids[10], due.map((d) => ({ description: "opvolgen", ownerOrganisationId: org, dueOn: d })));
    const s = await login(app, lead);
    const list = await app.inject({ method: "GET", url: "/cases", headers: s.headers() });
    const items = (html: string) => [...html.matchAll(/<li><a href="\/cases\/[0-9a-f-]{36}">[^<]+<\/a>: Werkdienst/g)].length;
    expect(items(list.body)).toBe(10);
    expect(list.body).toContain('<a href="/cases/work">Volledige werklijst bekijken</a>');
    const work = await app.inject({ method: "GET", url: "/cases/work", headers: s.headers() });
    expect(work.statusCode).toBe(200);
    expect(items(work.body)).toBe(12);
    expect(work.body).toContain("<h1");
    expect(work.body).not.toContain('href="/cases/work"');
  });

  it("reads the lead's overdue actions by cell: another cell's overdue action stays out", async () => {
    const other = await makeLivc(ctx(), `PO${Date.now() % 100000}`);
    const org = await makeOrganisation(ctx(), "Dienst", "caw");
    // Both coordinators work at the service: a core service of both cells, so it may own actions in each (decision 0061).
    const lead = await makeActor(ctx(), [{ livcId: livc, role: "coordinator", organisationId: org }]);
    const otherLead = await makeActor(ctx(), [{ livcId: other, role: "coordinator", organisationId: org }]);
    const otherCase = await openCaseFromScreening(ctx(), { actor: otherLead }, { livcId: other, reportId: null, minor: false, identity: { fullName: "Ander Fictief", dateOfBirth: "1999-09-09" }, screeningDecision: "take_up" });
    await addActions(ctx(), { actor: lead }, ids[5], [{ description: "opvolgen", ownerOrganisationId: org, dueOn: "2026-01-10" }]);
    await addActions(ctx(), { actor: otherLead }, otherCase.id, [{ description: "opvolgen", ownerOrganisationId: org, dueOn: "2026-01-10" }]);
    const mine = (await overdueFor(ctx(), { actor: lead }, "2026-02-01")).asLead.map((a) => a.caseId);
    expect(mine).toContain(ids[5]);
    expect(mine).not.toContain(otherCase.id);
    const theirs = await overdueFor(ctx(), { actor: otherLead }, "2026-02-01");
    expect(theirs.asLead.map((a) => a.caseId)).toEqual([otherCase.id]);
  });
});
