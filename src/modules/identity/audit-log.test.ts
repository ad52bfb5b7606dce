import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type TestUser } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { audit } from "../../platform/audit";
import { todayInBrussels } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";

/**
 * The DPO's audit log page (/audit): a period narrowed by account, action (or family), kind of record,
 * record id and outcome; page, CSV and the DPO's own search logged; an e-mail address never in a URL.
 */
describeEachDialect("audit log page", (ctx) => {
  let app: FastifyInstance;
  let dpoUser: TestUser;
  let someone: TestUser;
  let other: TestUser;
  let chairUser: TestUser;
  let dpo: Awaited<ReturnType<typeof login>>;
  const today = todayInBrussels();
  const tag = `r${Date.now()}`;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    dpoUser = await createUser(ctx(), { platformRoles: ["dpo"] });
    someone = await createUser(ctx(), { displayName: "Sanne Auditspoor" });
    other = await createUser(ctx(), { displayName: "Omer Anders" });
    chairUser = await createUser(ctx(), { platformRoles: ["regional_analyst"] });
    const as = (u: TestUser) => ({ actor: { userId: u.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [] } as Actor });
    await audit.recordFor(ctx(), as(someone), { action: "case.read", resourceType: "case", resourceId: `${tag}-1`, outcome: "allowed" });
    await audit.recordFor(ctx(), as(someone), { action: "case.close", resourceType: "case", resourceId: `${tag}-1`, outcome: "success" });
    await audit.recordFor(ctx(), as(someone), { action: "report.read", resourceType: "report", resourceId: `${tag}-2`, outcome: "denied" });
    await audit.recordFor(ctx(), as(other), { action: "case.read", resourceType: "case", resourceId: `${tag}-3`, outcome: "allowed" });
    dpo = await login(app, dpoUser);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const get = async (qs: string) => {
    const res = await app.inject({ method: "GET", url: `/audit?${qs}`, headers: dpo.headers() });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const ids = (body: string) => [...body.matchAll(new RegExp(`<code> (${tag}-\\d)</code>`, "g"))].map((m) => m[1]);

  it("lists the period's entries newest first, narrowed by action family, record and outcome", async () => {
    const all = await get(`from=${today}&to=${today}`);
    expect(ids(all).slice(0, 4)).toEqual([`${tag}-3`, `${tag}-2`, `${tag}-1`, `${tag}-1`]);
    expect(all).toContain("Sanne Auditspoor");
    expect(ids(await get(`from=${today}&to=${today}&action=case.&resource_id=${tag}-1`))).toEqual([`${tag}-1`, `${tag}-1`]);
    expect(ids(await get(`from=${today}&to=${today}&action=case.read`)).filter((i) => i.startsWith(tag))).toEqual([`${tag}-3`, `${tag}-1`]);
    expect(ids(await get(`from=${today}&to=${today}&outcome=denied`)).filter((i) => i.startsWith(tag))).toEqual([`${tag}-2`]);
    expect(ids(await get(`from=${today}&to=${today}&resource_type=report`)).filter((i) => i.startsWith(tag))).toEqual([`${tag}-2`]);
    // An earlier period has none of them.
    expect(ids(await get("from=2020-01-01&to=2020-01-31"))).toEqual([]);
  });

  it("turns an account's e-mail address into its id (never in the URL), and the CSV keeps the search", async () => {
    const res = await app.inject({ method: "POST", url: "/audit", headers: dpo.headers({ form: true }), payload: dpo.form({ from: today, to: today, actor: someone.email.toUpperCase(), action: "case." }) });
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toContain(`actor_id=${someone.id}`);
    expect(location).not.toContain("@");
    expect(location).not.toContain(encodeURIComponent(someone.email));
    const page = await get(location.slice("/audit?".length));
    expect(ids(page)).toEqual([`${tag}-1`, `${tag}-1`]);
    expect(page).toContain(`value="${someone.email}"`);
    const csvHref = /href="(\/audit\/export\.csv\?[^"]+)"/.exec(page)![1].replaceAll("&amp;", "&");
    const csv = await app.inject({ method: "GET", url: csvHref, headers: dpo.headers() });
    expect(csv.statusCode).toBe(200);
    const rows = csv.body.trim().split("\n").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.includes(someone.id) && r.includes(";case."))).toBe(true);
  });

  it("refuses a bad date, an order the wrong way round and an unknown address, keeping what was typed", async () => {
    const res = await app.inject({ method: "POST", url: "/audit", headers: dpo.headers({ form: true }), payload: dpo.form({ from: "2026-13-01", to: "", actor: "nobody@nowhere.invalid", action: "Case Read" }) });
    expect(res.statusCode).toBe(400);
    for (const field of ["from", "actor", "action"]) expect(res.body).toContain(`href="#${field}"`);
    expect(res.body).toContain('value="2026-13-01"');
    expect(res.body).toContain('value="nobody@nowhere.invalid"');
    const order = await app.inject({ method: "POST", url: "/audit", headers: dpo.headers({ form: true }), payload: dpo.form({ from: "2026-02-01", to: "2026-01-01" }) });
    expect(order.statusCode).toBe(400);
    expect(order.body).toContain('href="#to"');
    expect((await app.inject({ method: "GET", url: "/audit?from=nonsense", headers: dpo.headers() })).statusCode).toBe(400);
  });

  it("pages 100 entries at a time, newest first, the links keeping the search", async () => {
    const who = { actor: { userId: other.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [] } as Actor };
    await audit.recordMany(ctx(), who, Array.from({ length: 105 }, (_, i) => ({ action: "paging.test", resourceType: "thing", resourceId: `${tag}-p${String(i).padStart(3, "0")}`, outcome: "success" as const })));
    const qs = `from=${today}&to=${today}&action=paging.test`;
    const first = await get(qs);
    const firstIds = [...first.matchAll(/<code> ([^<]+-p\d{3})<\/code>/g)].map((m) => m[1]);
    expect(firstIds).toHaveLength(100);
    expect(firstIds[0]).toBe(`${tag}-p104`);
    expect(first).toContain(`href="/audit?from=${today}&amp;to=${today}&amp;action=paging.test&amp;page=2" rel="next"`);
    expect(first).not.toContain('rel="prev"');
    const second = await get(`${qs}&page=2`);
    const secondIds = [...second.matchAll(/<code> ([^<]+-p\d{3})<\/code>/g)].map((m) => m[1]);
    expect(secondIds).toEqual([4, 3, 2, 1, 0].map((i) => `${tag}-p00${i}`));
    expect(second).toContain('rel="prev"');
    expect(second).not.toContain('rel="next"');
  });

  it("is the DPO's only, and the DPO's own search is logged", async () => {
    const analyst = await login(app, chairUser);
    expect((await app.inject({ method: "GET", url: `/audit?from=${today}&to=${today}`, headers: analyst.headers() })).statusCode).toBe(403);
    expect((await app.inject({ method: "POST", url: "/audit", headers: analyst.headers({ form: true }), payload: analyst.form({ from: today }) })).statusCode).toBe(403);
    const views = await ctx().database.db.selectFrom("audit_entry").select(["action", "resource_id"]).where("actor_id", "=", dpoUser.id).where("action", "=", "audit.view").execute();
    expect(views.length).toBeGreaterThanOrEqual(6);
    expect(views.some((v) => v.resource_id === `${today}..${today}`)).toBe(true);
  });
});
