/**
 * Decision 0052: the regional participation figures describe the four whole quarters that ended before
 * the date asked, never the running quarter, and count structural invitations only. So no two dates
 * (a day apart, or anywhere in one quarter) give figures whose difference is a day's invitations or
 * answers, and per-case consultation invitations never enter them.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type LoginSession, login } from "../../../test/support/auth";
import { describeEachDialect } from "../../../test/support/db";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { buildApp } from "../../platform/web/app";
import { ParticipationDateError, participationFigures, participationWindow, previousQuarterEnd, regionalParticipation } from "./report";
import { addSeat, respondToInvitation, sendInvitation } from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdf-")), "p.pdf");
  fs.writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

describe("participationWindow", () => {
  it("answers every date of a quarter with the end of the quarter before", () => {
    expect(previousQuarterEnd("2026-12-16")).toBe("2026-09-30");
    expect(previousQuarterEnd("2026-01-01")).toBe("2025-12-31");
    expect(previousQuarterEnd("2026-03-31")).toBe("2025-12-31");
    expect(previousQuarterEnd("2026-04-01")).toBe("2026-03-31");
    const today = "2026-12-16";
    for (let d = "2026-07-01"; d <= "2026-09-30"; d = addDays(d, 1)) {
      expect(participationWindow(d, today)).toMatchObject({ requested: d, date: "2026-06-30", from: "2025-07-01", after_today: false });
    }
    // The last day of a quarter is not yet its end: the quarter is still running on it.
    expect(participationWindow("2026-09-30", today).date).toBe("2026-06-30");
    expect(participationWindow("2026-10-01", today).date).toBe("2026-09-30");
  });

  it("answers a date after today, or in today's quarter, with the quarters ended before today", () => {
    expect(participationWindow("2030-01-01", "2026-12-16")).toMatchObject({ date: "2026-09-30", after_today: true });
    expect(participationWindow("2026-12-20", "2026-12-16")).toMatchObject({ date: "2026-09-30", after_today: true });
    expect(participationWindow("2026-12-16", "2026-12-16")).toMatchObject({ date: "2026-09-30", after_today: false });
  });

  it("refuses a date whose window would begin before the register, naming the parameter", () => {
    expect(() => participationWindow("2019-02-01", "2026-12-16")).toThrow(ParticipationDateError);
    expect(() => participationWindow("2019-02-01", "2026-12-16")).toThrow(/^date 2019-02-01: .*from 2019-04-01 on/);
    expect(participationWindow("2019-04-01", "2026-12-16").date).toBe("2019-03-31");
    expect(() => participationWindow("2025-02-30", "2026-12-16")).toThrow(/not a date/);
  });
});

describeEachDialect("Regional participation figures: whole ended quarters, structural invitations only", (ctx) => {
  let livc = "";
  let app: FastifyInstance;
  let analyst: LoginSession;
  // One structural invitation (to a CAW) or answer on each of these days of 2025-Q2, and 6 invitations to one case consultation.
  const days = ["2025-04-10", "2025-04-11", "2025-05-20", "2025-05-21", "2025-06-12", "2025-06-13"];

  beforeAll(async () => {
    livc = await makeLivc(ctx(), "LIVC Venster", ["12025"]);
    const police = await makeOrg(ctx(), "PZ Venster", "local_police");
    await addSeat(ctx(), system, { livcId: livc, seat: "information_officer", organisationId: police, fromOn: "2020-01-01" });
    for (const [i, day] of days.entries()) {
      const org = await makeOrg(ctx(), `CAW Venster ${i}`, "caw");
      const id = await sendInvitation(ctx(), system, { livcId: livc, organisationId: org, kind: "structural", today: day, termDays: 30 });
      if (i % 2 === 1) await respondToInvitation(ctx(), system, id, { answer: "decline", reason: "professional_secrecy", today: addDays(day, 1) });
    }
    for (let i = 0; i < 6; i++) {
      const org = await makeOrg(ctx(), `CGG Casus ${i}`, "mental_health_cgg");
      const id = await sendInvitation(ctx(), system, { livcId: livc, organisationId: org, kind: "consultation", caseRef: `V-${i}`, today: days[i], termDays: 14 });
      await respondToInvitation(ctx(), system, id, { answer: "decline", reason: "professional_secrecy", today: days[i] });
    }
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const figuresOf = (r: Awaited<ReturnType<typeof regionalParticipation>>) => ({ date: r.date, period: r.period, by_sector: r.by_sector, by_livc: r.by_livc.find((l) => l.livc_id === livc) });

  it("exact-day figures would differ a day apart (the leak this closes)", async () => {
    const db = ctx().database.db;
    const on = async (d: string) => (await participationFigures(db, d)).analysis.by_livc.find((l) => l.livc_id === livc)!.invitations.sent;
    expect(await on("2025-06-12")).toBe(5);
    expect(await on("2025-06-13")).toBe(6);
  });

  it("gives identical per-LIVC and per-sector figures for two dates a day apart and for any two dates of one quarter", async () => {
    const db = ctx().database.db;
    const today = "2026-12-16";
    const base = figuresOf(await regionalParticipation(db, "2025-07-01", today));
    expect(base.date).toBe("2025-06-30");
    for (const d of ["2025-07-02", "2025-08-14", "2025-08-15", "2025-09-29", "2025-09-30"]) {
      expect(figuresOf(await regionalParticipation(db, d, today)), d).toEqual(base);
    }
    // Within 2025-Q2 itself every date shows the quarter before: none of the invitations above yet.
    const q2 = figuresOf(await regionalParticipation(db, "2025-06-12", today));
    expect(q2.by_livc!.invitations.sent).toBe(0);
    expect(figuresOf(await regionalParticipation(db, "2025-06-13", today))).toEqual(q2);
    expect(figuresOf(await regionalParticipation(db, "2025-04-01", today))).toEqual(q2);
  });

  it("counts the quarter's structural invitations and leaves the case-consultation invitations out", async () => {
    const r = await regionalParticipation(ctx().database.db, "2025-08-01", "2026-12-16");
    const row = r.by_livc.find((l) => l.livc_id === livc)!;
    // 6 structural invitations to CAWs, 3 declined; the 6 declined invitations to CGGs for single cases are not counted.
    expect(row.invitations).toMatchObject({ sent: 6, declined: "<5", pending: "<5" });
    expect(row.decline_reasons).toEqual({ professional_secrecy: "<5" });
    expect(row.cells.caw?.status).toBe("declined");
    expect(row.cells.mental_health_cgg).toBeUndefined();
    expect(r.by_sector.find((s) => s.sector === "mental_health_cgg")!.invitations.sent).toBe(0);
    expect(r).toMatchObject({ requested_date: "2025-08-01", after_today: false, period: { from: "2024-07-01", to: "2025-06-30" } });
  });

  it("the API snaps the date to whole ended quarters and says so, naming the parameter; a future date is marked", async () => {
    const res = await app.inject({ url: "/api/v1/monitoring/participation?date=2025-08-15", headers: analyst.headers() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ date: "2025-06-30", requested_date: "2025-08-15", after_today: false });
    expect(body.notice).toMatch(/^The parameter date \(2025-08-15\) was answered with the four whole quarters 2024-07-01 to 2025-06-30/);
    const dayBefore = (await app.inject({ url: "/api/v1/monitoring/participation?date=2025-08-14", headers: analyst.headers() })).json();
    expect(dayBefore.by_livc).toEqual(body.by_livc);
    expect(dayBefore.by_sector).toEqual(body.by_sector);
    const future = (await app.inject({ url: "/api/v1/monitoring/participation?date=2099-01-01", headers: analyst.headers() })).json();
    expect(future).toMatchObject({ requested_date: "2099-01-01", after_today: true, date: previousQuarterEnd(todayInBrussels()) });
    expect(future.notice).toMatch(/^The parameter date \(2099-01-01\) lies after today/);
    const early = await app.inject({ url: "/api/v1/monitoring/participation?date=2019-02-01", headers: analyst.headers() });
    expect(early.statusCode).toBe(400);
    expect(early.json().message).toMatch(/^date 2019-02-01: /);
    const docs = (await app.inject({ url: "/api/docs/json" })).json();
    const schema = docs.paths["/api/v1/monitoring/participation"].get;
    expect(JSON.stringify(schema)).toContain("requested_date");
    expect(JSON.stringify(schema)).toContain("after_today");
  });

  it("the page, the CSV and the PDF say which window they show; a future date gets a notice", async () => {
    const page = await app.inject({ url: "/monitoring/participation?date=2025-08-15", headers: analyst.headers() });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="window-notice"');
    expect(page.body).toContain("Cijfers over de vier volledige kwartalen die vóór 15 augustus 2025 afgelopen zijn: 1 juli 2024 tot en met 30 juni 2025");
    expect(page.body).not.toContain("ligt na vandaag");
    // The download links ask for a date answered with the same window.
    expect(page.body).toContain('href="/monitoring/participation.csv?date=2025-07-01"');
    const future = await app.inject({ url: "/monitoring/participation?date=2099-01-01&lang=fr", headers: analyst.headers() });
    expect(future.body).toContain("Le 1 janvier 2099 est postérieur à aujourd'hui");
    const csv = await app.inject({ url: "/monitoring/participation.csv?date=2025-07-01", headers: analyst.headers() });
    expect(csv.body).toContain("\n2025-06-30;flanders;;;caw;yes;0;;0;6;0;<5;<5;<5;");
    const pdf = await app.inject({ url: "/monitoring/participation.pdf?date=2025-08-15&lang=en", headers: analyst.headers() });
    const text = pdfText(pdf.rawPayload).replace(/\s+/g, " ");
    expect(text).toContain("Figures over the four whole quarters that ended before 15 August 2025");
    expect(text).toContain("Invitations to a single case consultation are not counted here");
  });
});
