import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor, LivcRole } from "../../platform/policy/actor";
import { buildApp } from "../../platform/web/app";
import { openCaseFromScreening, transitionCase } from "../cases/service";
import { ensureOrganisation } from "../identity/service";
import { createConsultation, recordAttendance } from "../partners/service";
import { importRegister, livcByCode } from "../registry/service";
import { caseFiguresOn, endedQuarters, totalOf } from "./case-figures";
import { CSV_HEADER } from "./export";

describe("Flanders totals from shown figures", () => {
  it("keeps the small-count rule when every LIVC figure is known", () => {
    expect(totalOf([])).toEqual({ kind: "count", value: 0 });
    expect(totalOf([0, 0])).toEqual({ kind: "count", value: 0 });
    expect(totalOf([5, 7])).toEqual({ kind: "count", value: 12 });
  });

  it("turns a hidden LIVC into a range, so no suppressed figure can be found by subtraction", () => {
    expect(totalOf([6, "<5"])).toEqual({ kind: "range", low: 7, high: 10 });
    expect(totalOf(["<5", "<5", 0])).toEqual({ kind: "range", low: 2, high: 8 });
    // One hidden LIVC and nothing else: the total itself is 1 to 4.
    expect(totalOf(["<5", 0, 0])).toEqual({ kind: "count", value: "<5" });
  });

  it("takes the four whole quarters that ended before the date, never the running one", () => {
    const today = "2026-11-29";
    expect(endedQuarters("2026-05-15", today).map((q) => [q.key, q.from, q.to])).toEqual([
      ["2026-Q1", "2026-01-01", "2026-03-31"],
      ["2025-Q4", "2025-10-01", "2025-12-31"],
      ["2025-Q3", "2025-07-01", "2025-09-30"],
      ["2025-Q2", "2025-04-01", "2025-06-30"],
    ]);
    // The last day of a quarter does not show it yet; the next day does.
    expect(endedQuarters("2024-12-31", today)[0]).toMatchObject({ key: "2024-Q3", to: "2024-09-30" });
    expect(endedQuarters("2025-01-01", today)[0]).toMatchObject({ key: "2024-Q4", from: "2024-10-01", to: "2024-12-31" });
    expect(endedQuarters("2024-05-29", today).at(-1)).toMatchObject({ key: "2023-Q2", from: "2023-04-01", to: "2023-06-30" });
    expect(endedQuarters("2024-02-29", today)[0]).toMatchObject({ key: "2023-Q4" });
    // A date after today shows what today shows: the running quarter (2026-Q4) has not ended.
    expect(endedQuarters("2027-03-01", today)).toEqual(endedQuarters(today, today));
    expect(endedQuarters("2027-03-01", today)[0].key).toBe("2026-Q3");
  });

  it("gives every date of a quarter the same quarters, so no two dates differ by less than a quarter", () => {
    const first = endedQuarters("2026-04-01", "2026-11-29");
    for (let d = new Date("2026-04-01T00:00:00Z"); d <= new Date("2026-06-30T00:00:00Z"); d.setUTCDate(d.getUTCDate() + 1)) {
      expect(endedQuarters(d.toISOString().slice(0, 10), "2026-11-29")).toEqual(first);
    }
    // Likewise every day of the running quarter as today, whatever date is asked after it.
    for (const today of ["2026-10-01", "2026-11-15", "2026-12-31"]) expect(endedQuarters("2026-12-31", today)).toEqual(endedQuarters("2026-10-01", "2026-10-01"));
  });
});

/** The text of each cell in one row (data-livc) of one quarter table, entities decoded. */
function rowCells(html: string, quarter: string, livc: string): string[] {
  const table = html.match(new RegExp(`<table id="cases-${quarter}"[\\s\\S]*?</table>`))?.[0] ?? "";
  const row = table.match(new RegExp(`<tr[^>]*data-livc="${livc}"[^>]*>([\\s\\S]*?)</tr>`))?.[1];
  if (row === undefined) return [];
  return [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => m[1].replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim());
}

/** Text of a PDF through poppler's pdftotext, so the test reads what a person reads. */
function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdf-")), "c.pdf");
  fs.writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "../registry/testdata", name), "utf8");

describeEachDialect("dashboard: case figures per quarter (aggregates only)", (ctx) => {
  let app: FastifyInstance;
  let analyst: LoginSession;
  let openInLeuven: (openedOn: string) => Promise<unknown>;

  beforeAll(async () => {
    const database = ctx().database;
    await importRegister(database, { actor: null }, fixture("register.csv"));
    const gent = (await livcByCode(database.db, "GENT"))!.id;
    const leuven = (await livcByCode(database.db, "LEUVEN"))!.id;
    const actor = async (roles: { livcId: string; role: LivcRole }[]): Promise<Actor> => {
      const u = await createUser(ctx(), { roles });
      return { userId: u.id, displayName: u.displayName, sessionId: "test", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: roles };
    };
    const coordinator = await actor([{ livcId: gent, role: "coordinator" }, { livcId: leuven, role: "coordinator" }]);
    const chair = await actor([{ livcId: gent, role: "chair" }]);
    const open = (livcId: string, openedOn: string) =>
      openCaseFromScreening(ctx(), { actor: coordinator }, { livcId, reportId: null, minor: false, identity: { fullName: "Zoë Fictief", dateOfBirth: "2000-01-01" }, screeningDecision: "take_up", openedOn });
    // Gent: 2 cases in 2026-Q1 (one closed in Q2), 1 consultation. Leuven: 6 cases and 5 consultations in Q1.
    const first = await open(gent, "2026-02-01");
    await open(gent, "2026-03-01");
    for (let i = 0; i < 6; i++) await open(leuven, "2026-01-15");
    openInLeuven = (openedOn) => open(leuven, openedOn);
    await transitionCase(ctx(), { actor: chair }, first.id, "close", { reason: "concern_addressed", today: "2026-04-20" });
    const clb = await ensureOrganisation(ctx(), { name: "CLB Leuven (test)", sector: "clb" });
    const caw = await ensureOrganisation(ctx(), { name: "CAW Gent (test)", sector: "caw" });
    for (let i = 0; i < 5; i++) {
      const id = await createConsultation(ctx(), {}, { livcId: leuven, heldOn: `2026-0${1 + (i % 3)}-1${i}`, status: "held" });
      await recordAttendance(ctx(), {}, { consultationId: id, organisationId: clb, attended: true });
    }
    const g = await createConsultation(ctx(), {}, { livcId: gent, heldOn: "2026-02-20", status: "held" });
    await recordAttendance(ctx(), {}, { consultationId: g, organisationId: caw, attended: true });
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("shows four whole quarter tables with 1 to 4 as <5 per LIVC and a range for Flanders, and links to partner participation", async () => {
    const res = await app.inject({ url: "/monitoring?date=2026-05-15", headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain("Casusoverleg per kwartaal");
    // 2026-Q2, the quarter of the date, is running on that date: left out, not counted up to the day.
    expect([...html.matchAll(/<table id="cases-(\d{4}-Q\d)"/g)].map((m) => m[1])).toEqual(["2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2"]);
    expect(html).toContain("Kwartaal 1 van 2026</h3>");
    expect(html).not.toContain("tot en met");
    expect(html).toContain("het lopende kwartaal verschijnt pas als het afgelopen is");
    // LIVC, opened, closed, held, sectors.
    expect(rowCells(html, "2026-Q1", "GENT")).toEqual(["LIVC Gent", "<5", "0", "<5", "CAW (centrum algemeen welzijnswerk)"]);
    expect(rowCells(html, "2026-Q1", "LEUVEN")).toEqual(["LIVC Leuven", "6", "0", "5", "CLB (centrum voor leerlingenbegeleiding)"]);
    // 6 + "<5" is 7 to 10, never the exact 8 that would give Gent's 2 away.
    expect(rowCells(html, "2026-Q1", "flanders")).toEqual(["Vlaanderen (totaal)", "7 tot 10", "0", "6 tot 9", "CAW (centrum algemeen welzijnswerk), CLB (centrum voor leerlingenbegeleiding)"]);
    expect(rowCells(html, "2025-Q3", "flanders").slice(1, 4)).toEqual(["0", "0", "0"]);
    expect(rowCells(html, "2025-Q3", "GENT")).toEqual([]);
    // Aggregates only: no case label, no person.
    expect(html).not.toMatch(/GENT-2026|LEUVEN-2026/);
    expect(html).not.toContain("Fictief");
    expect(html).toContain('href="/monitoring/participation?date=2026-05-15"');
    expect(html).toContain(">Deelname van partners</a>");
    const participation = await app.inject({ url: "/monitoring/participation?date=2026-05-15", headers: analyst.headers() });
    expect(participation.statusCode).toBe(200);
    // Once 2026-Q2 has ended it shows, whole: one closure in the region, so the Flanders total itself is 1 to 4.
    const july = (await app.inject({ url: "/monitoring?date=2026-07-01", headers: analyst.headers() })).body;
    expect([...july.matchAll(/<table id="cases-(\d{4}-Q\d)"/g)].map((m) => m[1])).toEqual(["2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3"]);
    expect(rowCells(july, "2026-Q2", "GENT")).toEqual(["LIVC Gent", "0", "<5", "0", ""]);
    expect(rowCells(july, "2026-Q2", "flanders").slice(1, 4)).toEqual(["0", "<5", "0"]);
  });

  it("speaks French and English through the monitoring dictionary", async () => {
    const fr = await app.inject({ url: "/monitoring?date=2026-05-15&lang=fr", headers: analyst.headers() });
    expect(fr.body).toContain("Concertation de cas par trimestre");
    expect(rowCells(fr.body, "2026-Q1", "flanders").slice(0, 2)).toEqual(["Flandre (total)", "7 à 10"]);
    expect(fr.body).toContain(">Participation des partenaires</a>");
    const en = await app.inject({ url: "/monitoring?date=2026-05-15&lang=en", headers: analyst.headers() });
    expect(en.body).toContain("Case consultations per quarter");
    expect(rowCells(en.body, "2026-Q1", "flanders").slice(0, 4)).toEqual(["Flanders (total)", "7 to 10", "0", "6 to 9"]);
  });

  it("puts the same quarter tables in the coverage CSV and PDF: <5 per LIVC, ranges for Flanders (decision 0052)", async () => {
    // A date of 2026-Q3: its newest quarter (2026-Q2) is not the one whose minute the next test measures.
    const csv = await app.inject({ url: "/monitoring/coverage.csv?date=2026-07-15", headers: analyst.headers() });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.slice(1).split("\r\n");
    expect(lines[0]).toBe(CSV_HEADER.join(";"));
    const row = (level: string, quarter: string, livc: string, code: string, cells: string[]) =>
      ["2026-07-15", "2025", "", "", "", "", "", livc, "", level, quarter, code, ...cells].join(";");
    expect(lines.filter((l) => l.includes(";flanders_quarter;")).map((l) => l.split(";")[10])).toEqual(["2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3"]);
    // 2026-Q2: one closure in the region, so the Flanders total itself is 1 to 4.
    expect(lines).toContain(row("flanders_quarter", "2026-Q2", "", "", ["0", "<5", "0", ""]));
    expect(lines).toContain(row("livc_quarter", "2026-Q2", "LIVC Gent", "GENT", ["0", "<5", "0", ""]));
    // 6 + "<5" is 7 to 10 (never the exact 8), as on the page.
    expect(lines).toContain(row("flanders_quarter", "2026-Q1", "", "", ["7 to 10", "0", "6 to 9", "caw | clb"]));
    expect(lines).toContain(row("livc_quarter", "2026-Q1", "LIVC Gent", "GENT", ["<5", "0", "<5", "caw"]));
    expect(lines).toContain(row("livc_quarter", "2026-Q1", "LIVC Leuven", "LEUVEN", ["6", "0", "5", "clb"]));
    expect(lines).toContain(row("flanders_quarter", "2025-Q3", "", "", ["0", "0", "0", ""]));
    // The municipality rows keep their columns; every line has the header's number of fields.
    expect(lines.slice(1).filter((l) => l.includes(";municipality;"))).toHaveLength(285);
    for (const l of lines.filter(Boolean)) expect(l.split(";")).toHaveLength(CSV_HEADER.length);
    expect(csv.body).not.toContain("Fictief");
    const pdf = await app.inject({ url: "/monitoring/coverage.pdf?date=2026-07-15", headers: analyst.headers() });
    const text = pdfText(pdf.rawPayload);
    const section = text.slice(text.indexOf("Casusoverleg per kwartaal"));
    expect(section).toContain("Kwartaal 2 van 2026");
    expect(section).toContain("Kwartaal 1 van 2026");
    expect(section).toMatch(/Vlaanderen \(totaal\)\s+7 tot 10\s+0\s+6 tot 9/);
    expect(section).toMatch(/LIVC Gent\s+<5\s+0\s+<5/);
    expect(section).toMatch(/LIVC Leuven\s+6\s+0\s+5/);
    expect(section).toContain("Kwartaal 3 van 2025");
    expect(section).not.toContain("Kwartaal 3 van 2026");
    expect(text).not.toContain("Fictief");
    const en = pdfText((await app.inject({ url: "/monitoring/coverage.pdf?date=2026-07-15&lang=en", headers: analyst.headers() })).rawPayload);
    expect(en).toMatch(/Flanders \(total\)\s+7 to 10/);
  });

  it("keeps the tables a minute per newest quarter, then reads the cases again", async () => {
    const leuvenQ1 = async (now: number) => (await caseFiguresOn(ctx(), "2026-06-30", now, "2026-11-29"))[0].livcs.find((l) => l.livcCode === "LEUVEN")?.casesOpened;
    // Two minutes ahead: the entry earlier tests left for 2026-Q1 has expired by then, so the minute is
    // measured from this read, however long the tests before it took.
    const t0 = Date.now() + 120_000;
    expect(await leuvenQ1(t0)).toBe(6);
    await openInLeuven("2026-02-02");
    expect(await leuvenQ1(t0 + 59_000)).toBe(6);
    expect(await leuvenQ1(t0 + 61_000)).toBe(7);
  });

  it("gives two dates inside one quarter identical tables, even with a case opened between them", async () => {
    // Each read gets a Kysely instance of its own, so a cache of its own: the tables are read afresh
    // every time and are equal because of the quarters, not because of the minute's cache.
    const fresh = () => ({ ...ctx(), database: { ...ctx().database, db: ctx().database.db.withoutPlugins() } });
    const today = "2026-11-29";
    const early = await caseFiguresOn(fresh(), "2026-07-05", Date.now(), today);
    await openInLeuven("2026-07-06");
    await openInLeuven("2026-08-01");
    const late = await caseFiguresOn(fresh(), "2026-09-30", Date.now(), today);
    expect(late).toEqual(early);
    expect(late.map((t) => t.quarter.key)).toEqual(["2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3"]);
    // After the quarter the cases show, counted over the whole quarter; a date after today changes nothing.
    const next = await caseFiguresOn(fresh(), "2026-10-01", Date.now(), today);
    expect(next[0].quarter.key).toBe("2026-Q3");
    expect(next[0].livcs.find((l) => l.livcCode === "LEUVEN")?.casesOpened).toBe("<5");
    expect(await caseFiguresOn(fresh(), "2027-06-01", Date.now(), today)).toEqual(next);
    // The page shows the same: two dates of 2026-Q3 render the same case tables.
    const section = (html: string) => html.match(/<section aria-labelledby="cases-title">[\s\S]*?<\/section>/)?.[0].replace(/date=[\d-]+/g, "");
    const a = (await app.inject({ url: "/monitoring?date=2026-07-02", headers: analyst.headers() })).body;
    const b = (await app.inject({ url: "/monitoring?date=2026-09-29", headers: analyst.headers() })).body;
    expect(section(a)).toContain('id="cases-2026-Q2"');
    expect(section(a)).toEqual(section(b));
  });

  it("keeps the rendered dashboard content only as long as the case figures: a new case shows after their minute", async () => {
    // A date whose newest quarter (2026-Q3) no earlier test put in the minute's cache.
    const url = "/monitoring?date=2026-10-15";
    const leuvenQ1 = (html: string) => Number(rowCells(html, "2026-Q1", "LEUVEN")[1]);
    const first = await app.inject({ url, headers: analyst.headers() });
    expect(first.headers["x-page-cache"]).toBe("miss");
    const opened = leuvenQ1(first.body);
    expect(opened).toBeGreaterThanOrEqual(6);
    await openInLeuven("2026-03-03");
    const within = await app.inject({ url, headers: analyst.headers() });
    expect(within.headers["x-page-cache"]).toBe("hit");
    expect(leuvenQ1(within.body)).toBe(opened);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const later = await app.inject({ url, headers: analyst.headers() });
      expect(later.headers["x-page-cache"]).toBe("miss");
      expect(leuvenQ1(later.body)).toBe(opened + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});
