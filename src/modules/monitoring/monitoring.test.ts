import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { buildApp } from "../../platform/web/app";
import { importObstacles, importRegister, livcByCode } from "../registry/service";
import { CSV_HEADER } from "./export";
import { mapCacheSize } from "./map";

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "../registry/testdata", name), "utf8");

/** Text of a PDF through poppler's pdftotext (apt: poppler-utils), so the test reads what a person reads. */
function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdf-")), "r.pdf");
  fs.writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

describeEachDialect("coverage dashboard, API and downloads", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let partner: LoginSession;
  let chair: LoginSession;
  let admin: LoginSession;
  let gentId: string;
  let leuvenId: string;

  beforeAll(async () => {
    const database = ctx().database;
    await importRegister(database, { actor: null }, fixture("register.csv"));
    // A formula in an LIVC name and in an obstacle note must not reach a spreadsheet as a formula.
    await importRegister(database, { actor: null }, "livc_code,livc_name,nis,joined_on,left_on\nFORM,=SUM(A1:A9),11009,2019-06-01,\n");
    await importObstacles(database, { actor: null }, fixture("obstacles.csv"));
    gentId = (await livcByCode(database.db, "GENT"))!.id;
    leuvenId = (await livcByCode(database.db, "LEUVEN"))!.id;
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
    partner = await login(app, await createUser(ctx(), { roles: [{ livcId: gentId, role: "partner_member" }] }));
    chair = await login(app, await createUser(ctx(), { roles: [{ livcId: gentId, role: "chair" }] }));
    admin = await login(app, await createUser(ctx(), { platformRoles: ["admin"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("serves the JSON report with exactly the documented keys", async () => {
    const res = await app.inject({ url: "/api/v1/monitoring/coverage?date=2020-03-10", headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(
      [
        "date", "set", "municipalities", "covered", "without_livc", "covered_by_own_livc", "covered_by_intermunicipal_livc",
        "livcs", "intermunicipal_livcs", "by_province", "without", "obstacles", "needs_decision", "after_today",
      ].sort(),
    );
    expect(body.after_today).toBe(false);
    expect(body).toMatchObject({ date: "2020-03-10", set: "2019", municipalities: 300, covered: 12, intermunicipal_livcs: 2 });
    const docs = (await app.inject({ url: "/api/docs/json" })).json();
    expect(docs.paths["/api/v1/monitoring/coverage"].get.tags).toEqual(["monitoring"]);
  });

  it("refuses a date before 2019 with a clear message", async () => {
    const res = await app.inject({ url: "/api/v1/monitoring/coverage?date=2018-06-01", headers: analyst.headers() });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/starts on 2019-01-01/);
    const page = await app.inject({ url: "/monitoring?date=2018-06-01", headers: analyst.headers() });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('value="2018-06-01"');
    expect(page.body).toContain('href="#date"');
  });

  it("shows the dashboard to an analyst: counts, the map as an image with its table twin, and the trend", async () => {
    const first = await app.inject({ url: "/monitoring?date=2020-03-10", headers: analyst.headers() });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('data-set="2019"');
    // The map is its own resource now; the page carries an <img> with a text alternative.
    expect(first.body).not.toMatch(/<svg[^>]*coverage-map/);
    const img = first.body.match(/<img[^>]*class="coverage-map"[^>]*>/)?.[0] ?? "";
    expect(img).toContain('src="/monitoring/map.svg?date=2020-03-10"');
    expect(img).toContain('alt="Kaart van Vlaanderen op 10 maart 2020: 12 van de 300 gemeenten hebben een LIVC, 5 daarvan in een intergemeentelijke LIVC.');
    expect(img).toMatch(/width="800" height="\d+"/);
    expect(first.body).toContain('id="map-table"');
    expect(first.body).toContain('<a href="/municipalities/44021">');
    expect(first.body).toContain('id="trend-table"');
    expect(first.body).toContain('<th scope="row">1 januari 2019</th>');
    expect(first.body).not.toContain('<th scope="row">2019-01-01</th>');
    const map = await app.inject({ url: "/monitoring/map.svg?date=2020-03-10", headers: analyst.headers() });
    expect(map.statusCode).toBe(200);
    expect(map.body).toContain('data-set="2019"');
    expect((map.body.match(/<path d=/g) ?? []).length).toBe(300);
    expect(map.headers["x-map-cache"]).toBe("miss");
    const again = await app.inject({ url: "/monitoring/map.svg?date=2020-03-10", headers: analyst.headers() });
    expect(again.headers["x-map-cache"]).toBe("hit");
    const after = await app.inject({ url: "/monitoring?date=2025-03-10", headers: analyst.headers() });
    expect(after.body).toContain('data-set="2025"');
    expect(after.body).toContain("Fusie: beslissing nodig");
    const map2025 = await app.inject({ url: "/monitoring/map.svg?date=2025-03-10", headers: analyst.headers() });
    expect((map2025.body.match(/<path d=/g) ?? []).length).toBe(285);
    expect(mapCacheSize(ctx().database.db)).toBeGreaterThanOrEqual(2);
  });

  it("drops the cached map when the register changes", async () => {
    const before = await app.inject({ url: "/monitoring/map.svg?date=2020-03-10", headers: analyst.headers() });
    await importObstacles(ctx().database, { actor: null }, "nis,recorded_on,reason,note\n11013,2020-01-01,capacity,\n");
    const res = await app.inject({ url: "/monitoring/map.svg?date=2020-03-10", headers: analyst.headers() });
    expect(res.headers["x-map-cache"]).toBe("miss");
    // An obstacle does not recolour the map: same content, same ETag.
    expect(res.headers.etag).toBe(before.headers.etag);
  });

  it("exports CSV with BOM, semicolons and neutralised formulas", async () => {
    const res = await app.inject({ url: "/monitoring/coverage.csv?date=2020-03-10", headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv/);
    expect(res.headers["content-disposition"]).toContain("livc-coverage-2020-03-10.csv");
    expect(res.body.startsWith("\uFEFF")).toBe(true);
    const lines = res.body.slice(1).split("\r\n");
    expect(lines[0]).toBe(CSV_HEADER.join(";"));
    // 300 municipalities, then one Flanders row per quarter (no cases in 2019: no LIVC rows), the header and the final line end.
    expect(lines).toHaveLength(306);
    expect(lines.filter((l) => l.includes(";flanders_quarter;"))).toHaveLength(4);
    const formulaRow = lines.find((l) => l.includes(";11009;"))!;
    expect(formulaRow).toContain(";'=SUM(A1:A9);");
    expect(res.body).not.toMatch(/;=/);
    expect(res.body).toContain("few_cases (2019-11-04) | capacity (2020-01-20)");
  });

  it("exports a PDF answering the parliamentary questions in order", async () => {
    const res = await app.inject({ url: "/monitoring/coverage.pdf?date=2020-03-10", headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    const text = pdfText(res.rawPayload);
    expect(text).toContain("LIVC-dekking op 10 maart 2020");
    expect(text).toMatch(/Op 10 maart 2020 hebben 288 van de 300 gemeenten geen LIVC/);
    expect(text).toMatch(/5 gemeenten werken samen in 2 intergemeentelijke LIVC's/);
    const q1 = text.indexOf("1. Gemeenten zonder LIVC");
    const q2 = text.indexOf("2. Intergemeentelijke samenwerking");
    const q3 = text.indexOf("3. Geregistreerde belemmeringen");
    expect(q1).toBeGreaterThan(-1);
    expect(q2).toBeGreaterThan(q1);
    expect(q3).toBeGreaterThan(q2);
    expect(text.slice(q3)).toContain("Weinig of geen verontrustende dossiers gekend");
    expect(text.slice(q1, q2)).toContain("Aartselaar");
  });

  it("says so when the date lies after today: a notice on the page and in the PDF, after_today and notice in the JSON", async () => {
    const page = await app.inject({ url: "/monitoring?date=2099-06-01", headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="future-notice"');
    expect(page.body).toContain("1 juni 2099 ligt na vandaag. U ziet het register zoals het vandaag is ingevuld, met de geplande start- en einddata van lidmaatschappen");
    const fr = await app.inject({ url: "/monitoring?date=2099-06-01&lang=fr", headers: analyst.headers() });
    expect(fr.body).toContain("Le 1 juin 2099 est postérieur à aujourd'hui");
    const past = await app.inject({ url: "/monitoring?date=2020-03-10", headers: analyst.headers() });
    expect(past.body).not.toContain("future-notice");
    const json = (await app.inject({ url: "/api/v1/monitoring/coverage?date=2099-06-01", headers: analyst.headers() })).json();
    expect(json).toMatchObject({ date: "2099-06-01", after_today: true });
    expect(json.notice).toMatch(/^The date 2099-06-01 lies after today \(\d{4}-\d{2}-\d{2}\): these are the figures of the LIVC register as recorded today, with the planned starts and ends of memberships/);
    const docs = (await app.inject({ url: "/api/docs/json" })).json();
    expect(Object.keys(docs.paths["/api/v1/monitoring/coverage"].get.responses["200"].content["application/json"].schema.properties)).toContain("after_today");
    const pdf = pdfText((await app.inject({ url: "/monitoring/coverage.pdf?date=2099-06-01&lang=en", headers: analyst.headers() })).rawPayload);
    expect(pdf.replace(/\s+/g, " ")).toContain("1 June 2099 lies after today. You see the register as recorded today");
  });

  it("lets a chair see their own LIVC's register page but not another's; denies a partner member", async () => {
    const own = await app.inject({ url: `/registry/${gentId}`, headers: chair.headers() });
    expect(own.statusCode).toBe(200);
    // Dates in words like everywhere else (the membership from 2018-10-01), never the raw ISO form.
    expect(own.body).toContain("<td>1 oktober 2018</td>");
    expect(own.body).not.toContain("<td>2018-10-01</td>");
    expect((await app.inject({ url: `/registry/${leuvenId}`, headers: chair.headers() })).statusCode).toBe(403);
    const list = await app.inject({ url: "/registry", headers: chair.headers() });
    expect(list.body).toContain("LIVC Gent");
    expect(list.body).not.toContain("LIVC Leuven");
    expect((await app.inject({ url: `/registry/${gentId}`, headers: partner.headers() })).statusCode).toBe(403);
    expect((await app.inject({ url: "/monitoring", headers: partner.headers() })).statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/monitoring/coverage", headers: partner.headers() })).statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/monitoring/coverage" })).statusCode).toBe(401);
    expect((await app.inject({ url: `/registry/${leuvenId}`, headers: analyst.headers() })).statusCode).toBe(200);
    // Only an administrator changes the register.
    expect((await app.inject({ url: `/registry/${gentId}/edit`, headers: chair.headers() })).statusCode).toBe(403);
  });

  it("an administrator adds a membership through the form; an overlap is refused with both LIVCs named and the input kept", async () => {
    const refused = await app.inject({
      method: "POST",
      url: `/registry/${leuvenId}/memberships/new`,
      headers: admin.headers({ form: true }),
      payload: admin.form({ nis: "44021", joined_on: "2021-01-01", left_on: "" }),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("error-summary");
    expect(refused.body).toContain("GENT (LIVC Gent)");
    expect(refused.body).toContain('value="2021-01-01"');
    const bad = await app.inject({
      method: "POST",
      url: `/registry/${leuvenId}/memberships/new`,
      headers: admin.headers({ form: true }),
      payload: admin.form({ nis: "12", joined_on: "2021-02-30", left_on: "" }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#nis"');
    expect(bad.body).toContain('href="#joined_on"');
    const ok = await app.inject({
      method: "POST",
      url: `/registry/${leuvenId}/memberships/new`,
      headers: admin.headers({ form: true }),
      payload: admin.form({ nis: "24001", joined_on: "2021-01-01", left_on: "" }),
    });
    expect(ok.statusCode).toBe(303);
    const audit = await ctx()
      .database.db.selectFrom("audit_entry")
      .select(["action", "resource_type", "livc_id", "actor_id"])
      .where("action", "=", "registry.membership.add")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ resource_type: "livc_membership", livc_id: leuvenId });
    const r = (await app.inject({ url: "/api/v1/monitoring/coverage?date=2021-06-01", headers: analyst.headers() })).json();
    expect(r.without.some((w: { nis: string }) => w.nis === "24001")).toBe(false);
  });

  it("an administrator records a merger decision through the form", async () => {
    const page = await app.inject({ url: "/registry/mergers", headers: admin.headers() });
    expect(page.body).toContain("Hasselt (71072)");
    const res = await app.inject({
      method: "POST",
      url: "/registry/mergers/71072",
      headers: admin.headers({ form: true }),
      payload: admin.form({ decision: "none", livc_id: "", joined_on: "2025-01-01", note: "" }),
    });
    expect(res.statusCode).toBe(303);
    const r = (await app.inject({ url: "/api/v1/monitoring/coverage?date=2025-03-10", headers: analyst.headers() })).json();
    expect(r.needs_decision.map((n: { nis: string }) => n.nis)).toEqual(["37022"]);
  });
});
