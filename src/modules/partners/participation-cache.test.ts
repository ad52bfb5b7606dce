/**
 * Issue 9: the participation figures are cached per database, input revision and date. A repeated
 * request is served from the cache; every write to an input (seats, attendance, consultations,
 * invitations, organisations' municipalities, the register) changes the next figures, also when
 * another app instance on the same database made the write; the page follows.
 */
import { gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, login, type LoginSession } from "../../../test/support/auth";
import { describeEachDialect, testConfig } from "../../../test/support/db";
import { openContext } from "../../platform/bootstrap";
import type { AppContext } from "../../platform/context";
import { buildApp } from "../../platform/web/app";
import { SECTOR_KEYS } from "../identity/sectors";
import { addMembership } from "../registry/service";
import { CACHED_DATES, participationFigures, participationRevision } from "./report";
import {
  addOrganisationContact,
  addSeat,
  createConsultation,
  endSeat,
  recordAttendance,
  respondToInvitation,
  sendInvitation,
  setConsultationStatus,
  setOrganisationMunicipalities,
} from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

const D = "2025-06-30";

describeEachDialect("Participation figures: cache and invalidation", (ctx) => {
  let livc = "";
  let police = "";
  let caw = "";
  let clb = "";
  let consultation = "";
  let other: (AppContext & { close(): Promise<void> }) | undefined;
  let app: FastifyInstance;
  let analyst: LoginSession;

  const figures = (c: AppContext = ctx()) => participationFigures(c.database.db, D);
  const row = async (c: AppContext = ctx()) => (await figures(c)).analysis.by_livc.find((r) => r.livc_id === livc)!;

  beforeAll(async () => {
    livc = await makeLivc(ctx(), "LIVC Cache", ["12025"]);
    police = await makeOrg(ctx(), "PZ Cache", "local_police");
    caw = await makeOrg(ctx(), "CAW Cache", "caw");
    clb = await makeOrg(ctx(), "CLB Cache", "clb");
    await addSeat(ctx(), system, { livcId: livc, seat: "information_officer", organisationId: police, fromOn: "2020-01-01" });
    consultation = await createConsultation(ctx(), system, { livcId: livc, heldOn: "2025-03-01", status: "held" });
    await recordAttendance(ctx(), system, { consultationId: consultation, organisationId: police, attended: true });
    // A second app instance on the same database (its own process-wide caches).
    other = await openContext({ config: testConfig(ctx().database.url), migrate: false });
    app = await buildApp(ctx(), { logger: false });
    analyst = await login(app, await createUser(ctx(), { platformRoles: ["regional_analyst"] }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await other?.close();
  });

  it("serves a repeated request from the cache, frozen", async () => {
    const first = await figures();
    expect(await figures()).toBe(first);
    expect(first.revision).toBe(await participationRevision(ctx().database.db));
    expect(Object.isFrozen(first.analysis.by_livc[0].cells)).toBe(true);
    // A write that does not enter the figures (a contact) keeps the cached figures.
    const user = await createUser(ctx(), { organisationId: caw });
    await addOrganisationContact(ctx(), system, caw, user.id);
    expect(await figures()).toBe(first);
  });

  it("keeps at most CACHED_DATES dates per database, the least recently asked dropped first", async () => {
    const db = ctx().database.db;
    const dates = Array.from({ length: CACHED_DATES + 1 }, (_, i) => `2024-0${1 + (i % 9)}-1${i % 10}`);
    const first = await participationFigures(db, dates[0]);
    const kept = await participationFigures(db, dates[1]);
    for (const d of dates.slice(2)) await participationFigures(db, d);
    // dates[1] asked again (now the most recent), then one more date: dates[2] goes, dates[1] stays.
    expect(await participationFigures(db, dates[1])).toBe(kept);
    const again = await participationFigures(db, dates[0]);
    expect(again).not.toBe(first);
    expect(again.analysis).toEqual(first.analysis);
    expect(await participationFigures(db, dates[1])).toBe(kept);
  });

  it("a new seat, its end and the municipalities of an organisation change the next matrix", async () => {
    expect((await row()).cells.caw.status).toBe("none");
    // From 2025-05-01: after the consultations below, so the attendance figures stay the police's.
    const seat = await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: caw, fromOn: "2025-05-01" });
    expect((await row()).cells.caw).toMatchObject({ status: "member", members: 1 });
    expect((await row()).social_partner).toBe(true);
    await endSeat(ctx(), system, seat, "2025-05-31");
    expect((await row()).cells.caw.status).toBe("none");
    expect((await row()).social_partner).toBe(false);
    await setOrganisationMunicipalities(ctx(), system, clb, ["12025"]);
    expect((await row()).cells.clb.status).toBe("never_invited");
  });

  it("attendance and a consultation's status change the next rates", async () => {
    expect((await row()).attendance_rate).toBe(1);
    await recordAttendance(ctx(), system, { consultationId: consultation, organisationId: police, attended: false });
    expect((await row()).attendance_rate).toBe(0);
    expect((await row()).cells.local_police.low_attendance).toBe(true);
    const planned = await createConsultation(ctx(), system, { livcId: livc, heldOn: "2025-04-01" });
    await recordAttendance(ctx(), system, { consultationId: planned, organisationId: police, attended: true });
    // Planned: not counted yet.
    expect((await row()).attendance_rate).toBe(0);
    await setConsultationStatus(ctx(), system, planned, "held");
    expect((await row()).attendance_rate).toBe(0.5);
    expect((await row()).cells.local_police.low_attendance).toBe(false);
  });

  it("invitations and answers change the next counts", async () => {
    const before = (await row()).invitations.sent;
    const id = await sendInvitation(ctx(), system, { livcId: livc, organisationId: clb, kind: "structural", today: "2025-06-25", termDays: 14 });
    expect((await row()).invitations).toMatchObject({ sent: before + 1, pending: 1 });
    expect((await row()).cells.clb.status).toBe("pending");
    await respondToInvitation(ctx(), system, id, { answer: "decline", reason: "trust", today: "2025-06-27" });
    expect((await row()).cells.clb.status).toBe("declined");
    expect((await row()).decline_reasons).toEqual({ trust: 1 });
  });

  it("a change to the register changes the next figures", async () => {
    const livcs = (await figures()).analysis.livcs;
    await makeLivc(ctx(), "LIVC Cache 2", ["44021"]);
    expect((await figures()).analysis.livcs).toBe(livcs + 1);
    const youth = await makeOrg(ctx(), "Jeugdhuis Cache", "youth_work");
    await setOrganisationMunicipalities(ctx(), system, youth, ["24062"]);
    expect((await row()).cells.youth_work.status).toBe("none");
    await addMembership(ctx().database, system, livc, { nis: "24062", joined_on: "2019-01-01", left_on: null });
    expect((await row()).cells.youth_work.status).toBe("never_invited");
  });

  it("a write through another app instance on the same database changes this instance's next figures", async () => {
    const mine = await figures();
    const theirs = await figures(other!);
    expect(theirs.analysis).toEqual(mine.analysis);
    expect(theirs).not.toBe(mine);
    await addSeat(other!, system, { livcId: livc, seat: "partner", organisationId: clb, fromOn: "2025-06-10" });
    expect((await row()).cells.clb.status).toBe("member");
    expect((await row(other!)).cells.clb.status).toBe("member");
  });

  it("the page shows the cached figures and, after a write, the new ones", async () => {
    // Any date of the next quarter is answered with the figures of D, the end of the quarter before (decision 0052).
    const get = () => app.inject({ method: "GET", url: "/monitoring/participation?date=2025-08-14", headers: analyst.headers() });
    const cawCell = (html: string) => {
      const tr = html.split("<tr>").find((r) => r.includes("LIVC Cache<"))!;
      // Cells: the social-partner column, then one per sector in SECTOR_KEYS order.
      return tr.split("<td>")[2 + SECTOR_KEYS.indexOf("caw")];
    };
    const first = await get();
    expect(first.statusCode).toBe(200);
    expect(cawCell(first.body)).not.toContain("tag green");
    const again = await get();
    expect(again.body).toBe(first.body);
    // A browser asking for gzip gets the cached figures pre-compressed inside its layout: the same page.
    const zipped = await app.inject({ method: "GET", url: "/monitoring/participation?date=2025-08-14", headers: { ...analyst.headers(), "accept-encoding": "gzip" } });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(zipped.rawPayload).toString("utf8")).toBe(first.body);
    // The cached figures hold no part of the person's layout (name and CSRF token are in the logout form).
    const cached = (await figures()).html.get("nl")!.pieces.map((p) => p.bytes.toString("utf8")).join("");
    expect(first.body).toContain(cached);
    expect(cached).not.toContain("_csrf");
    expect(cached).not.toContain("/logout");
    await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: caw, fromOn: "2025-06-20" });
    const after = await get();
    expect(cawCell(after.body)).toContain("tag green");
    // The English page is rendered from the same cached report in its own language.
    const en = await app.inject({ method: "GET", url: "/monitoring/participation?date=2025-07-01&lang=en", headers: analyst.headers() });
    expect(en.body).toContain('id="matrix"');
    expect(cawCell(en.body)).toContain("tag green");
  });
});
