import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { livcInput, makeTestLivc } from "../../../test/support/livc";
import { todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { extraDaysFor } from "./closing-days";

/**
 * The closing-days pages through HTTP with real logins: who may (chair and coordinator of the LIVC,
 * administrators; not another LIVC's chair, not a partner member, an information officer or a
 * regional analyst), plain forms with the error summary and the typed value kept, and CSRF.
 */
describeEachDialect("closing days: pages and who may", (ctx) => {
  let app: FastifyInstance;
  let livc: string;
  let other: string;
  const s = {} as Record<"chair" | "coordinator" | "otherChair" | "partner" | "officer" | "analyst" | "admin", LoginSession>;
  const get = (who: LoginSession, url: string) => app.inject({ method: "GET", url, headers: who.headers() });
  const post = (who: LoginSession, url: string, fields: Record<string, string>) => app.inject({ method: "POST", url, headers: who.headers({ form: true }), payload: who.form(fields) });
  const idOf = async (day: string) =>
    (await ctx().database.db.selectFrom("intake_livc_closing_day").select("id").where("livc_id", "=", livc).where("day", "=", day).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    app = await buildApp(ctx(), { logger: false });
    livc = await makeTestLivc(ctx().database, { actor: null }, livcInput("CDR1", "LIVC Kermis"), ["44021"]);
    other = await makeTestLivc(ctx().database, { actor: null }, livcInput("CDR2", "LIVC Elders"), ["41002"]);
    const as = async (opts: Parameters<typeof createUser>[1]) => login(app, await createUser(ctx(), opts));
    s.chair = await as({ roles: [{ livcId: livc, role: "chair" }] });
    s.coordinator = await as({ roles: [{ livcId: livc, role: "coordinator" }] });
    s.otherChair = await as({ roles: [{ livcId: other, role: "chair" }] });
    s.partner = await as({ roles: [{ livcId: livc, role: "partner_member" }] });
    s.officer = await as({ roles: [{ livcId: livc, role: "information_officer" }] });
    s.analyst = await as({ platformRoles: ["regional_analyst"] });
    s.admin = await as({ platformRoles: ["admin"] });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("the chair adds a day (a bad one first: error summary linked to the field, typed values kept), sees it listed, removes it", async () => {
    const start = await get(s.chair, "/closing-days");
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe(`/closing-days/${livc}`);
    const page = await get(s.chair, `/closing-days/${livc}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Sluitingsdagen van LIVC Kermis");
    expect(page.body).toContain("Wijzigingen gelden voor meldingen die vanaf nu binnenkomen.");
    expect(page.body).toContain("Dit LIVC heeft nog geen eigen sluitingsdagen.");
    const year = Number(todayInBrussels().slice(0, 4));
    expect(page.body).toContain(`Wettelijke feestdagen ${year}`);
    expect(page.body).toContain(`Wettelijke feestdagen ${year + 1}`);
    expect(page.body).toContain("Paasmaandag");

    const bad = await post(s.chair, `/closing-days/${livc}`, { day: "31-09", description: "Kermismaandag" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('class="error-summary"');
    expect(bad.body).toContain('<a href="#day">Vul de dag in als maand-dag');
    expect(bad.body).toMatch(/<input type="text" id="day" name="day"[^>]*value="31-09"/);
    expect(bad.body).toMatch(/id="description"[^>]*value="Kermismaandag"/);
    expect(await extraDaysFor(ctx(), livc)).toEqual([]);

    const good = await post(s.chair, `/closing-days/${livc}`, { day: "09-15", description: "Kermismaandag" });
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toBe(`/closing-days/${livc}?done=added`);
    const listed = await get(s.chair, `/closing-days/${livc}?done=added`);
    expect(listed.body).toContain("De sluitingsdag is toegevoegd.");
    expect(listed.body).toContain("15 september, elk jaar");
    expect(listed.body).toContain("Kermismaandag");
    expect(await extraDaysFor(ctx(), livc)).toEqual(["09-15"]);

    const again = await post(s.chair, `/closing-days/${livc}`, { day: "09-15", description: "" });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("Deze dag staat al in de lijst van dit LIVC");

    const id = await idOf("09-15");
    const removed = await post(s.chair, `/closing-days/${livc}/${id}/remove`, {});
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe(`/closing-days/${livc}?done=removed`);
    expect(await extraDaysFor(ctx(), livc)).toEqual([]);
    expect((await post(s.chair, `/closing-days/${livc}/${id}/remove`, {})).statusCode).toBe(404);
  });

  it("the coordinator manages them too and finds the page from the screening queue; the installation-wide days are shown read-only", async () => {
    const queue = await get(s.coordinator, "/screening");
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`<a href="/closing-days/${livc}">Sluitingsdagen van dit LIVC beheren</a>`);
    // The information officer screens the same queue but does not manage the days: no link.
    expect((await get(s.officer, "/screening")).body).not.toContain("/closing-days/");
    ctx().config.SCHAKEL_EXTRA_HOLIDAYS = ["12-26", "2027-05-07"];
    try {
      const page = await get(s.coordinator, `/closing-days/${livc}`);
      expect(page.body).toMatch(/<ul id="installation-days"><li>26 december, elk jaar<\/li><li>vrijdag 7 mei 2027<\/li><\/ul>/);
      expect(page.body).not.toContain(`action="/closing-days/${livc}/`); // nothing of its own yet, nothing to remove
      const refused = await post(s.coordinator, `/closing-days/${livc}`, { day: "12-26", description: "" });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain("Deze dag is al een sluitingsdag voor de hele installatie");
    } finally {
      ctx().config.SCHAKEL_EXTRA_HOLIDAYS = [];
    }
    expect((await post(s.coordinator, `/closing-days/${livc}`, { day: "2027-05-07", description: "Brugdag" })).statusCode).toBe(303);
    expect(await extraDaysFor(ctx(), livc)).toEqual(["2027-05-07"]);
  });

  it("another LIVC's chair is refused (403, nothing stored or removed); partner member, information officer and analyst are refused at the route", async () => {
    const id = await idOf("2027-05-07");
    expect((await get(s.otherChair, `/closing-days/${livc}`)).statusCode).toBe(403);
    expect((await post(s.otherChair, `/closing-days/${livc}`, { day: "03-03", description: "" })).statusCode).toBe(403);
    expect((await post(s.otherChair, `/closing-days/${livc}/${id}/remove`, {})).statusCode).toBe(403);
    // Their own LIVC's page works, and the day id of this LIVC is not found there.
    expect((await get(s.otherChair, `/closing-days/${other}`)).statusCode).toBe(200);
    expect((await post(s.otherChair, `/closing-days/${other}/${id}/remove`, {})).statusCode).toBe(404);
    for (const who of [s.partner, s.officer, s.analyst]) {
      expect((await get(who, "/closing-days")).statusCode).toBe(403);
      expect((await get(who, `/closing-days/${livc}`)).statusCode).toBe(403);
      expect((await post(who, `/closing-days/${livc}`, { day: "03-03", description: "" })).statusCode).toBe(403);
      expect((await post(who, `/closing-days/${livc}/${id}/remove`, {})).statusCode).toBe(403);
    }
    expect(await extraDaysFor(ctx(), livc)).toEqual(["2027-05-07"]);
    const denied = await ctx().database.db.selectFrom("audit_entry").select("action").where("resource_id", "=", livc).where("outcome", "=", "denied").execute();
    expect(denied.map((d) => d.action)).toEqual(["intake.closing_days.manage", "intake.closing_days.manage", "intake.closing_days.manage"]);
  });

  it("an administrator sees every LIVC and manages any; unknown LIVC ids are 404", async () => {
    const index = await get(s.admin, "/closing-days");
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain(`<a href="/closing-days/${livc}">LIVC Kermis</a>`);
    expect(index.body).toContain(`<a href="/closing-days/${other}">LIVC Elders</a>`);
    expect((await post(s.admin, `/closing-days/${other}`, { day: "10-10", description: "Beheerder" })).statusCode).toBe(303);
    expect(await extraDaysFor(ctx(), other)).toEqual(["10-10"]);
    expect((await get(s.admin, "/closing-days/00000000-0000-4000-8000-000000000000")).statusCode).toBe(404);
    expect((await get(s.admin, "/closing-days/not-a-uuid")).statusCode).toBe(404);
  });

  it("a form post without the CSRF token is refused and changes nothing", async () => {
    const id = await idOf("2027-05-07");
    const form = { "content-type": "application/x-www-form-urlencoded", cookie: s.chair.cookie };
    const add = await app.inject({ method: "POST", url: `/closing-days/${livc}`, headers: form, payload: "day=03-03&description=" });
    expect(add.statusCode).toBe(403);
    const remove = await app.inject({ method: "POST", url: `/closing-days/${livc}/${id}/remove`, headers: form, payload: "_csrf=wrong-token" });
    expect(remove.statusCode).toBe(403);
    expect(await extraDaysFor(ctx(), livc)).toEqual(["2027-05-07"]);
  });
});
