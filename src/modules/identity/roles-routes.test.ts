import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import * as caseService from "../cases/service";
import { makeActor, makeOrganisation } from "../cases/testing";
import { livcByCode } from "../registry/service";
import { pendingPlatformRolesOf } from "./roles";
import * as store from "./store";

const yesterday = addDays(todayInBrussels(), -1);

/** The roles part of the account page over HTTP, with real logins (decision 0041). */
describeEachDialect("account page: LIVC roles and platform roles", (ctx) => {
  let app: FastifyInstance;
  let adminUser: TestUser;
  let admin: LoginSession;
  /** A second administrator: approves the first one's requests (decision 0049). */
  let admin2: LoginSession;
  let livcA: string;
  let livcB: string;
  let org: string;
  let orgName: string;
  const db = () => ctx().database.db;
  const post = async (s: LoginSession, url: string, fields: Record<string, string | string[]> = {}) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ _csrf: s.csrfToken, ...fields })) for (const x of ([] as string[]).concat(v)) body.append(k, x);
    const res = await app.inject({ method: "POST", url, headers: s.headers({ form: true }), payload: body.toString() });
    s.jar.take(res);
    return res;
  };
  /** Keeps the cookie jar current: a role change rotates the session id on the person's next request. */
  const get = async (s: LoginSession, url: string) => {
    const res = await app.inject({ url, headers: s.headers() });
    s.jar.take(res);
    return res;
  };
  const newLivc = async (code: string) => {
    const made = await post(admin, "/registry", { code, name: `LIVC ${code}`, founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "", chair_email: "", coordinator_email: "", info_officer_email: "" });
    expect(made.statusCode).toBe(303);
    return (await livcByCode(db(), code))!.id;
  };

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    adminUser = await createUser(ctx(), { platformRoles: ["admin"] });
    admin = await login(app, adminUser);
    admin2 = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
    livcA = await newLivc("ROL-A");
    livcB = await newLivc("ROL-B");
    orgName = "CLB Rollen";
    org = await makeOrganisation(ctx(), orgName, "clb");
    orgName = (await store.findOrganisation(db(), org))!.name;
  }, 120_000);
  afterAll(async () => app?.close());

  it("asks for a role after a refused bad value (summary linked to the field, typed values kept) and lists it by name, not id, awaiting approval", async () => {
    const person = await createUser(ctx());
    const bad = await post(admin, `/admin/accounts/${person.id}/memberships`, { livc_id: livcA, role: "reporter", organisation_id: "", valid_from: "2026-01-05", valid_to: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#organisation_id"');
    expect(bad.body).toContain('id="organisation_id-error"');
    expect(bad.body).toMatch(new RegExp(`<option value="${livcA}" selected`));
    expect(bad.body).toMatch(/<option value="reporter" selected/);
    expect(bad.body).toContain('value="2026-01-05"');
    expect(await store.membershipsOf(db(), person.id)).toEqual([]);

    const good = await post(admin, `/admin/accounts/${person.id}/memberships`, { livc_id: livcA, role: "reporter", organisation_id: org, valid_from: "2026-01-05", valid_to: "" });
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toBe(`/admin/accounts/${person.id}?saved=grant#livc-roles`);
    const page = await get(admin, String(good.headers.location));
    expect(page.body).toContain("De rol is aangevraagd.");
    const row = /<tr id="membership-[^"]+">([\s\S]*?)<\/tr>/.exec(page.body)![1];
    expect(row).toContain("wacht op goedkeuring");
    expect(row).toContain('href="/admin/approvals#request-');
    expect(row).not.toContain("/end");
    expect(row).toContain("LIVC ROL-A (ROL-A)");
    expect(row).toContain(orgName);
    expect(row).toContain("Melder");
    expect(row).toContain("2026-01-05");
    expect(page.body).not.toContain(`(${livcA})`);

    const dup = await post(admin, `/admin/accounts/${person.id}/memberships`, { livc_id: livcA, role: "reporter", organisation_id: org, valid_from: "2026-03-01", valid_to: "" });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain("al in (een deel van) deze periode");
  });

  it("offers organisations from a name search inside the grant form (not all of them): the search keeps every typed value and gives nothing; the person's own organisations and a refused choice stay offered", async () => {
    const person = await createUser(ctx());
    const found: string[] = [];
    for (let i = 0; i < 55; i++) found.push(await makeOrganisation(ctx(), `Zoekdienst ${String(i).padStart(2, "0")}`, "other"));
    const options = (html: string) => [...(/<select id="organisation_id"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? "").matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean);

    // No search: only the person's own organisations (none yet), never the whole directory.
    const first = await get(admin, `/admin/accounts/${person.id}`);
    expect(first.statusCode).toBe(200);
    expect(options(first.body)).toEqual([]);
    expect(first.body).toContain("Zoek op naam voor een andere organisatie.");

    // The search button inside the form: the page again, every value kept, at most 50 found, nothing given.
    const typed = { livc_id: livcA, role: "partner_member", organisation_id: "", valid_from: "2026-02-03", valid_to: "2026-12-31" };
    const search = await post(admin, `/admin/accounts/${person.id}/memberships`, { ...typed, org_q: "zoekdienst", intent: "org_search" });
    expect(search.statusCode).toBe(200);
    expect(options(search.body)).toHaveLength(50);
    expect(options(search.body).every((id) => found.includes(id))).toBe(true);
    expect(search.body).toContain("Organisaties gevonden: 50.");
    expect(search.body).toMatch(new RegExp(`<option value="${livcA}" selected`));
    expect(search.body).toMatch(/<option value="partner_member" selected/);
    expect(search.body).toContain('value="2026-02-03"');
    expect(search.body).toContain('value="2026-12-31"');
    expect(search.body).toContain('value="zoekdienst"');
    expect(search.body).not.toContain("error-summary");
    expect(await store.membershipsOf(db(), person.id)).toEqual([]);

    // A refused grant (the end before the start) keeps the chosen organisation offered and selected, and the search.
    const chosen = found[54];
    const refused = await post(admin, `/admin/accounts/${person.id}/memberships`, { ...typed, organisation_id: chosen, valid_to: "2026-01-01", org_q: "dienst 0" });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(new RegExp(`<option value="${chosen}" selected`));
    expect(options(refused.body)).toEqual(expect.arrayContaining([chosen, found[0], found[9]]));
    expect(options(refused.body)).toHaveLength(11);

    // Given: from then on the person's own organisation is offered without a search; a GET ?org_q= searches too.
    const good = await post(admin, `/admin/accounts/${person.id}/memberships`, { ...typed, organisation_id: chosen });
    expect(good.statusCode).toBe(303);
    expect(options((await get(admin, `/admin/accounts/${person.id}`)).body)).toEqual([chosen]);
    expect(options((await get(admin, `/admin/accounts/${person.id}?org_q=Zoekdienst%2001`)).body).sort()).toEqual([found[1], chosen].sort());
  });

  it("ends a chair's role: on the very next request their case page is 404 and, without other roles, the case list 403", async () => {
    const coordinator = await makeActor(ctx(), [{ livcId: livcA, role: "coordinator" }]);
    const open = (livcId: string, c = coordinator) =>
      caseService.openCaseFromScreening(ctx(), { actor: c }, { livcId, reportId: null, minor: false, identity: { fullName: "Fictieve Persoon", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
    const caseA = (await open(livcA)).id;
    const chairUser = await createUser(ctx(), { roles: [{ livcId: livcA, role: "chair" }, { livcId: livcB, role: "chair" }] });
    const chair = await login(app, chairUser);
    expect((await get(chair, `/cases/${caseA}`)).statusCode).toBe(200);
    const [ma, mb] = (await store.membershipsOf(db(), chairUser.id)).sort((x, y) => (x.livc_id === livcA ? -1 : y.livc_id === livcA ? 1 : 0));

    const ended = await post(admin, `/admin/accounts/${chairUser.id}/memberships/${ma.id}/end`, { valid_to: yesterday });
    expect(ended.statusCode).toBe(303);
    expect((await get(chair, `/cases/${caseA}`)).statusCode).toBe(404);
    expect((await get(chair, "/cases")).statusCode).toBe(200);

    expect((await post(admin, `/admin/accounts/${chairUser.id}/memberships/${mb.id}/end`, {})).statusCode).toBe(303);
    expect((await store.membershipsOf(db(), chairUser.id)).find((m) => m.id === mb.id)!.valid_to).toBe(yesterday);
    expect((await get(chair, "/cases")).statusCode).toBe(403);
    expect((await get(chair, `/cases/${caseA}`)).statusCode).toBe(403);
    const page = await get(admin, `/admin/accounts/${chairUser.id}`);
    expect(page.body.match(/beëindigd/g)?.length).toBe(2);
    expect(page.body).not.toContain(`/memberships/${ma.id}/end`);
  });

  it("refuses an end before the day before the start with the error on that row's field, value kept", async () => {
    const person = await createUser(ctx(), { roles: [{ livcId: livcB, role: "information_officer" }] });
    const [m] = await store.membershipsOf(db(), person.id);
    const res = await post(admin, `/admin/accounts/${person.id}/memberships/${m.id}/end`, { valid_to: "2000-01-01" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`href="#end-${m.id}"`);
    expect(res.body).toContain(`id="end-${m.id}-error"`);
    expect(res.body).toContain('value="2000-01-01"');
    expect((await store.membershipsOf(db(), person.id))[0].valid_to).toBeNull();
    expect((await post(admin, `/admin/accounts/${person.id}/memberships/00000000-0000-4000-8000-000000000000/end`, {})).statusCode).toBe(404);
  });

  it("saves platform roles; refuses admin for an LIVC role holder and any change to the administrator's own roles", async () => {
    const person = await createUser(ctx());
    const saved = await post(admin, `/admin/accounts/${person.id}/platform-roles`, { roles: ["regional_analyst", "dpo"] });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/accounts/${person.id}?saved=platform_requested#platform-roles`);
    // regional_analyst at once; dpo waits for a second administrator (decision 0049, amended).
    expect(await store.platformRolesOf(db(), person.id)).toEqual(["regional_analyst"]);
    const [asked] = await pendingPlatformRolesOf(db(), person.id);
    expect(asked.role).toBe("dpo");
    expect((await get(admin, `/admin/accounts/${person.id}?saved=platform_requested`)).body).toContain(`href="/admin/approvals#request-${asked.id}"`);
    expect((await post(admin2, `/admin/approvals/platform/${asked.id}/approve`)).statusCode).toBe(303);
    expect((await store.platformRolesOf(db(), person.id)).sort()).toEqual(["dpo", "regional_analyst"]);
    const chair = await createUser(ctx(), { roles: [{ livcId: livcA, role: "chair" }] });
    const refused = await post(admin, `/admin/accounts/${chair.id}/platform-roles`, { roles: ["admin"] });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('href="#platform-role-admin"');
    expect(refused.body).toContain("Beëindig die eerst");
    expect(await store.platformRolesOf(db(), chair.id)).toEqual([]);
    const own = await post(admin, `/admin/accounts/${adminUser.id}/platform-roles`, { roles: ["dpo"] });
    expect(own.statusCode).toBe(400);
    expect(await store.platformRolesOf(db(), adminUser.id)).toEqual(["admin"]);
    const ownPage = await get(admin, `/admin/accounts/${adminUser.id}`);
    expect(ownPage.body).toContain("U kunt uw eigen platformrollen niet wijzigen");
    expect(ownPage.body).not.toContain(`action="/admin/accounts/${adminUser.id}/platform-roles"`);
    expect(ownPage.body).not.toContain(`action="/admin/accounts/${adminUser.id}/memberships"`);
  });

  it("refuses an LIVC role for an administrator account on the page and through the JSON API", async () => {
    const other = await createUser(ctx(), { platformRoles: ["admin"] });
    const res = await post(admin, `/admin/accounts/${other.id}/memberships`, { livc_id: livcA, role: "chair", organisation_id: "", valid_from: todayInBrussels(), valid_to: "" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("Een beheerder krijgt geen LIVC-rol");
    const api = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${other.id}/memberships`, headers: admin.headers({ json: true }), payload: { livc_id: livcA, role: "chair" } });
    expect(api.statusCode).toBe(400);
    expect(api.json().fields[0].field).toBe("role");
    expect(await store.membershipsOf(db(), other.id)).toEqual([]);
  });

  it("JSON API: gives, lists with state, ends, and sets platform roles", async () => {
    const person = await createUser(ctx());
    const made = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/memberships`, headers: admin.headers({ json: true }), payload: { livc_id: livcB, role: "partner_member", organisation_id: org } });
    expect(made.statusCode).toBe(201);
    const id = made.json().id as string;
    expect(made.json().approval).toBe("pending");
    // Pending: it cannot be ended (it is withdrawn or refused); a second administrator approves it (JSON too).
    const early = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/memberships/${id}/end`, headers: admin.headers({ json: true }), payload: {} });
    expect(early.statusCode).toBe(400);
    const approved = await app.inject({ method: "POST", url: `/admin/approvals/${id}/approve`, headers: admin2.headers({ json: true }), payload: {} });
    expect(approved.json()).toEqual({ id, approval: "approved" });
    const ended = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/memberships/${id}/end`, headers: admin.headers({ json: true }), payload: { valid_to: addDays(todayInBrussels(), 7) } });
    expect(ended.statusCode).toBe(200);
    const roles = await app.inject({ url: `/api/v1/admin/accounts/${person.id}/roles`, headers: admin.headers() });
    expect(roles.json()).toEqual({
      platform_roles: [],
      pending_platform_roles: [],
      memberships: [{ id, livc: "LIVC ROL-B (ROL-B)", role: "partner_member", organisation: orgName, valid_from: todayInBrussels(), valid_to: addDays(todayInBrussels(), 7), state: "current" }],
    });
    const pr = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/platform-roles`, headers: admin.headers({ json: true }), payload: { roles: ["dpo"] } });
    expect(pr.json()).toEqual({ id: person.id, roles: [], requested: ["dpo"] });
    const [asked] = await pendingPlatformRolesOf(db(), person.id);
    expect((await app.inject({ url: `/api/v1/admin/accounts/${person.id}/roles`, headers: admin.headers() })).json().pending_platform_roles).toEqual([{ id: asked.id, role: "dpo" }]);
    expect((await app.inject({ method: "POST", url: `/admin/approvals/platform/${asked.id}/approve`, headers: admin2.headers({ json: true }), payload: {} })).json()).toEqual({ id: asked.id, approval: "approved" });
    // Odd input gets the rules' answer (400 with fields), never a parse error.
    const odd = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/memberships`, headers: admin.headers({ json: true }), payload: { livc_id: "x".repeat(500), role: 5, valid_from: "<b>2026</b>" } });
    expect(odd.statusCode).toBe(400);
    const oddForm = await post(admin, `/admin/accounts/${person.id}/memberships`, { livc_id: livcA, role: "chair", organisation_id: "", valid_from: `"><script>${"x".repeat(300)}`, valid_to: "" });
    expect(oddForm.statusCode).toBe(400);
    expect(oddForm.body).toContain('href="#valid_from"');
    expect(oddForm.body).not.toContain("<script>x");
    const oddRoles = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/platform-roles`, headers: admin.headers({ json: true }), payload: { roles: [{ x: 1 }] } });
    expect(oddRoles.statusCode).toBe(400);
    expect(await store.platformRolesOf(db(), person.id)).toEqual(["dpo"]);
    const docs = (await app.inject({ url: "/api/docs/json" })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(["/api/v1/admin/accounts/{id}/memberships", "/api/v1/admin/accounts/{id}/memberships/{mid}/end", "/api/v1/admin/accounts/{id}/platform-roles", "/api/v1/admin/accounts/{id}/roles"]));
  });

  it("only administrators use the new routes, and form posts need the CSRF token", async () => {
    const person = await createUser(ctx(), { roles: [{ livcId: livcA, role: "coordinator" }] });
    const [m] = await store.membershipsOf(db(), person.id);
    const chair = await login(app, await createUser(ctx(), { roles: [{ livcId: livcA, role: "chair" }] }));
    const analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    for (const s of [chair, analyst]) {
      expect((await post(s, `/admin/accounts/${person.id}/memberships/${m.id}/end`, {})).statusCode).toBe(403);
      expect((await post(s, `/admin/accounts/${person.id}/memberships`, { livc_id: livcA, role: "chair", organisation_id: "", valid_from: todayInBrussels(), valid_to: "" })).statusCode).toBe(403);
      expect((await post(s, `/admin/accounts/${person.id}/platform-roles`, { roles: ["admin"] })).statusCode).toBe(403);
      expect((await get(s, `/api/v1/admin/accounts/${person.id}/roles`)).statusCode).toBe(403);
    }
    const noCsrf = await app.inject({ method: "POST", url: `/admin/accounts/${person.id}/memberships/${m.id}/end`, headers: admin.headers({ form: true }), payload: `valid_to=${yesterday}` });
    expect(noCsrf.statusCode).toBe(403);
    const noCsrfApi = await app.inject({ method: "POST", url: `/api/v1/admin/accounts/${person.id}/platform-roles`, headers: { ...admin.headers(), "content-type": "application/json" }, payload: { roles: ["admin"] } });
    expect(noCsrfApi.statusCode).toBe(403);
    expect((await store.membershipsOf(db(), person.id))[0].valid_to).toBeNull();
    expect(await store.platformRolesOf(db(), person.id)).toEqual([]);
  });

  it("the LIVC form refuses linking the acting administrator's own account or another administrator as officer", async () => {
    const other = await createUser(ctx(), { platformRoles: ["admin"] });
    const fields = { code: "ROL-C", name: "LIVC Rollen C", founded_on: "", chair_name: "", coordinator_name: "", info_officer_name: "", chair_email: adminUser.email, coordinator_email: other.email, info_officer_email: "" };
    const res = await post(admin, "/registry", fields);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#chair_email"');
    expect(res.body).toContain('href="#coordinator_email"');
    expect(res.body).toContain("U kunt uzelf geen rol geven.");
    expect(res.body).toContain("Een beheerder krijgt geen LIVC-rol");
    expect(res.body).toContain(`value="${adminUser.email}"`);
    expect(await livcByCode(db(), "ROL-C")).toBeUndefined();
    const edit = await post(admin, `/registry/${livcA}/edit`, { ...fields, code: "ROL-A", name: "LIVC ROL-A", coordinator_email: "" });
    expect(edit.statusCode).toBe(400);
    expect((await livcByCode(db(), "ROL-A"))!.chair_user_id).toBeNull();
    expect(await store.membershipsOf(db(), adminUser.id)).toEqual([]);
  });
});
