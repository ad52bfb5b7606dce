import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { makeLivc } from "../cases/testing";
import { addMembership } from "../registry/service";

/** HTTP of decision 0048: plain forms with CSRF, typed input kept on error, the error summary linked, 404 for another's report. */
describeEachDialect("report supplement and withdrawal: routes", (ctx) => {
  let app: FastifyInstance;
  const s: Record<"reporter" | "other" | "coord", LoginSession> = {} as never;
  const FORM = "application/x-www-form-urlencoded";

  beforeAll(async () => {
    const livc = await makeLivc(ctx());
    await addMembership(ctx().database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    app = await buildApp(ctx(), { logger: false });
    s.reporter = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "reporter" }] }));
    s.other = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "partner_member" }] }));
    s.coord = await login(app, await createUser(ctx(), { roles: [{ livcId: livc, role: "coordinator" }] }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = (as: LoginSession, url: string, body: string) => app.inject({ method: "POST", url, headers: { ...as.headers(), "content-type": FORM }, payload: `${body}&_csrf=${encodeURIComponent(as.csrfToken)}` });
  const get = (as: LoginSession, url: string) => app.inject({ method: "GET", url, headers: as.headers() });
  const fileOne = async () => {
    const p = new URLSearchParams({ identity_known: "known", subject_name: "Fictieve Route", subject_birth_date: "2003-03-03", municipality_nis: "44021", observation: "Zei in de kantine dat de aanslag terecht was.", since: "weeks", person_knows: "no", reporter_contact: "09 000 00 00", action: "submit", signals: "supports_violence" });
    const res = await post(s.reporter, "/reports", p.toString());
    expect(res.statusCode).toBe(303);
    return /\/reports\/(M-[^/]+)/.exec(String(res.headers.location))![1];
  };

  it("supplement: form, refused empty with the summary linked and ticks kept, then saved; another reporter and the screener get 404; no CSRF 403", async () => {
    const ref = await fileOne();
    const status = await get(s.reporter, `/reports/${ref}`);
    expect(status.body).toContain(`href="/reports/${ref}/supplement"`);
    expect(status.body).toContain(`href="/reports/${ref}/withdraw"`);
    expect((await get(s.reporter, `/reports/${ref}/supplement`)).statusCode).toBe(200);
    expect((await get(s.other, `/reports/${ref}/supplement`)).statusCode).toBe(404);
    expect((await get(s.coord, `/reports/${ref}/supplement`)).statusCode).toBe(404);

    const empty = await post(s.reporter, `/reports/${ref}/supplement`, "observation=%20&signals=weapons_interest");
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#observation"');
    expect(empty.body).toMatch(/value="weapons_interest"[^>]*checked/);

    const noCsrf = await app.inject({ method: "POST", url: `/reports/${ref}/supplement`, headers: { ...s.reporter.headers(), "content-type": FORM }, payload: "observation=Zonder+token" });
    expect(noCsrf.statusCode).toBe(403);
    expect((await post(s.other, `/reports/${ref}/supplement`, "observation=Niet+de+mijne")).statusCode).toBe(404);
    expect((await post(s.coord, `/reports/${ref}/supplement`, "observation=Namens+de+melder")).statusCode).toBe(404);

    const ok = await post(s.reporter, `/reports/${ref}/supplement`, "observation=Deelde+sindsdien+filmpjes.");
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/reports/${ref}?done=supplement`);
    const after = await get(s.reporter, String(ok.headers.location));
    expect(after.body).toContain("Informatie toegevoegd");
    expect(after.body).not.toContain("filmpjes");
    const rows = await ctx().database.db.selectFrom("report_supplement").innerJoin("report", "report.id", "report_supplement.report_id").select("report_supplement.id").where("report.reference", "=", ref).execute();
    expect(rows).toHaveLength(1);
    // The screener sees it on the screening page, and the alert in the queue.
    const id = (await ctx().database.db.selectFrom("report").select("id").where("reference", "=", ref).executeTakeFirstOrThrow()).id;
    const queue = (await get(s.coord, "/screening")).body;
    expect(queue).toContain(`Nieuwe informatie van de melder: ${ref}`);
    expect(queue).toMatch(new RegExp(`>\\s*${ref}\\s*</a>`));
    const screening = await get(s.coord, `/screening/${id}`);
    expect(screening.body).toContain("Aanvullingen van de melder");
    expect(screening.body).toContain("Deelde sindsdien filmpjes.");
  });

  it("withdraw: refused without a reason (summary linked), then withdrawn; the status reads Ingetrokken and the links are gone", async () => {
    const ref = await fileOne();
    expect((await get(s.other, `/reports/${ref}/withdraw`)).statusCode).toBe(404);
    const none = await post(s.reporter, `/reports/${ref}/withdraw`, "");
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('href="#reason"');
    expect((await post(s.other, `/reports/${ref}/withdraw`, "reason=filed_by_mistake")).statusCode).toBe(404);
    const ok = await post(s.reporter, `/reports/${ref}/withdraw`, "reason=wrong_livc");
    expect(ok.statusCode).toBe(303);
    const page = await get(s.reporter, String(ok.headers.location));
    expect(page.body).toContain('<strong id="status">Ingetrokken</strong>');
    expect(page.body).toContain("Bij het verkeerde LIVC");
    expect(page.body).not.toContain(`/reports/${ref}/withdraw"`);
    expect((await post(s.reporter, `/reports/${ref}/withdraw`, "reason=other")).statusCode).toBe(409);
    const api = await app.inject({ method: "GET", url: `/api/v1/reports/${ref}/status`, headers: s.reporter.headers() });
    expect(api.json()).toMatchObject({ status: "withdrawn" });
    const id = (await ctx().database.db.selectFrom("report").select("id").where("reference", "=", ref).executeTakeFirstOrThrow()).id;
    const queue = await get(s.coord, "/screening");
    expect(queue.body).toContain(`Melding ingetrokken door de melder: ${ref}`);
    // Out of the queue's rows (a row's link text is the bare reference), still reachable from the alert.
    expect(queue.body).not.toMatch(new RegExp(`>\\s*${ref}\\s*</a>`));
    const screening = await get(s.coord, `/screening/${id}`);
    expect(screening.body).toContain("De melder trok deze melding in. Reden: Bij het verkeerde LIVC.");
  });
});
