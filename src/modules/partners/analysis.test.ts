import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { periodStart } from "./analysis";
import { regionalView } from "./report";
import {
  addSeat,
  createConsultation,
  participationReport,
  recordAttendance,
  respondToInvitation,
  runInvitationJob,
  sendInvitation,
  setOrganisationMunicipalities,
} from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

const D = "2025-06-30";

it("the period is the 12 months up to and including the date", () => {
  expect(periodStart("2025-06-30")).toBe("2024-07-01");
  expect(periodStart("2024-02-29")).toBe("2023-03-01");
  expect(periodStart("2025-01-01")).toBe("2024-01-02");
});

/**
 * A constructed data set with known answers: three LIVCs (Antwerpen, Gent, Leuven), their
 * police, a CAW, a CLB, a secondary school, a justice house and a youth-work organisation.
 * Every expected figure below is worked out by hand in the comments.
 */
describeEachDialect("Participation analysis on a constructed data set", (ctx) => {
  let a = "";
  let b = "";
  let c = "";
  it("builds the data set", async () => {
    a = await makeLivc(ctx(), "LIVC A", ["12025"]);
    b = await makeLivc(ctx(), "LIVC B", ["44021"]);
    c = await makeLivc(ctx(), "LIVC C", ["24062"]);
    const [polA, polB, polC] = [await makeOrg(ctx(), "PZ A", "local_police"), await makeOrg(ctx(), "PZ B", "local_police"), await makeOrg(ctx(), "PZ C", "local_police")];
    const caw = await makeOrg(ctx(), "CAW X", "caw");
    const clb = await makeOrg(ctx(), "CLB Y", "clb");
    const school = await makeOrg(ctx(), "School Z", "school_secondary");
    const jh = await makeOrg(ctx(), "Justitiehuis", "justice_house");
    const youth = await makeOrg(ctx(), "Jeugdhuis", "youth_work");
    await setOrganisationMunicipalities(ctx(), system, caw, ["12025", "44021"]);
    await setOrganisationMunicipalities(ctx(), system, clb, ["12025"]);
    await setOrganisationMunicipalities(ctx(), system, school, ["24062"]);
    await setOrganisationMunicipalities(ctx(), system, jh, ["44021"]);
    await setOrganisationMunicipalities(ctx(), system, youth, ["44021"]);

    await addSeat(ctx(), system, { livcId: a, seat: "information_officer", organisationId: polA, fromOn: "2020-01-01" });
    await addSeat(ctx(), system, { livcId: a, seat: "partner", organisationId: caw, fromOn: "2024-01-01" });
    await addSeat(ctx(), system, { livcId: a, seat: "partner", organisationId: clb, fromOn: "2024-01-01", toOn: "2025-03-31" });
    await addSeat(ctx(), system, { livcId: b, seat: "information_officer", organisationId: polB, fromOn: "2020-01-01" });
    await addSeat(ctx(), system, { livcId: c, seat: "information_officer", organisationId: polC, fromOn: "2020-01-01" });

    const i1 = await sendInvitation(ctx(), system, { livcId: a, organisationId: clb, kind: "consultation", caseRef: "A-1", today: "2025-05-01", termDays: 14 });
    await respondToInvitation(ctx(), system, i1, { answer: "decline", reason: "trust", today: "2025-05-03" });
    const i2 = await sendInvitation(ctx(), system, { livcId: b, organisationId: caw, kind: "structural", today: "2025-06-01", termDays: 14 });
    await respondToInvitation(ctx(), system, i2, { answer: "decline", reason: "professional_secrecy", today: "2025-06-05" });
    await sendInvitation(ctx(), system, { livcId: b, organisationId: jh, kind: "structural", today: "2025-06-20", termDays: 14 });
    const i4 = await sendInvitation(ctx(), system, { livcId: c, organisationId: school, kind: "structural", today: "2024-12-01", termDays: 14 });
    await respondToInvitation(ctx(), system, i4, { answer: "accept", today: "2024-12-10" });
    await sendInvitation(ctx(), system, { livcId: a, organisationId: jh, kind: "consultation", caseRef: "A-2", today: "2025-02-01", termDays: 14 });
    await runInvitationJob(ctx(), "2025-02-20", 0);
    // Outside the period: sent before 2024-07-01, does not count.
    await sendInvitation(ctx(), system, { livcId: b, organisationId: clb, kind: "structural", today: "2024-03-01", termDays: 14 });

    const held = async (livc: string, on: string) => createConsultation(ctx(), system, { livcId: livc, heldOn: on, status: "held" });
    const c0 = await held(a, "2024-05-01"); // before the period
    const c1 = await held(a, "2024-09-01");
    const c2 = await held(a, "2025-02-01");
    const c3 = await held(a, "2025-06-01");
    await createConsultation(ctx(), system, { livcId: a, heldOn: "2025-06-15", status: "cancelled" });
    const c5 = await held(c, "2025-03-01");
    const att = (cons: string, org: string, attended = true) => recordAttendance(ctx(), system, { consultationId: cons, organisationId: org, attended });
    for (const cons of [c0, c1, c2, c3]) await att(cons, polA);
    await att(c0, caw);
    await att(c1, caw);
    await att(c2, caw, false);
    await att(c1, clb);
    await att(c2, clb);
    await att(c5, polC);
  });

  it("counts LIVCs, members and the LIVCs without a social partner", async () => {
    const r = await participationReport(ctx().database.db, D);
    const mine = r.by_livc.filter((l) => [a, b, c].includes(l.livc_id)).sort((x, y) => x.name.localeCompare(y.name));
    expect(mine).toHaveLength(3);
    // A has the CAW, C the school since 2024-12-10; B only its police.
    expect(mine.map((l) => [l.name, l.social_partner])).toEqual([
      ["LIVC A", true],
      ["LIVC B", false],
      ["LIVC C", true],
    ]);
    // Only these three LIVCs exist in this database.
    expect(r.livcs).toBe(3);
    expect(r.livcs_without_social_partner).toBe(1);
    expect(r.share_without_social_partner).toBeCloseTo(1 / 3);
    expect(r.period).toEqual({ from: "2024-07-01", to: D });
  });

  it("gives the known figures per sector", async () => {
    const r = await participationReport(ctx().database.db, D);
    const s = Object.fromEntries(r.by_sector.map((f) => [f.sector, f]));
    // Police: member in 3 LIVCs; present at A's c1, c2, c3 and C's c5: 4 of 4 (B held none: 2 organisations).
    expect(s.local_police).toMatchObject({ livcs_member: 3, attendance_rate: 1, attendance_expected: 4, attendance_organisations: 2 });
    expect(s.local_police.invitations.sent).toBe(0);
    // CAW: member of A; declined B (professional secrecy); at A present c1 only of c1-c3.
    expect(s.caw).toMatchObject({ livcs_member: 1, livcs_declined: 1, livcs_low_attendance: 1, attendance_expected: 3 });
    expect(s.caw.attendance_rate).toBeCloseTo(1 / 3);
    expect(s.caw.invitations).toEqual({ sent: 1, pending: 0, accepted: 0, declined: 1, expired: 0, withdrawn: 0 });
    expect(s.caw.decline_reasons).toEqual({ professional_secrecy: 1 });
    // CLB: seat in A ended 2025-03-31 (c1, c2 expected, both attended). It declined A's invitation to
    // one case consultation: not counted (decision 0052), so A never invited it to the table.
    // The 2024-03-01 invitation by B lies before the period and does not count.
    expect(s.clb).toMatchObject({ livcs_member: 0, livcs_declined: 0, livcs_never_invited: 1, attendance_rate: 1, attendance_expected: 2 });
    expect(s.clb.invitations).toMatchObject({ sent: 0, declined: 0 });
    expect(s.clb.decline_reasons).toEqual({});
    // School: accepted C's invitation (sent in the period), missed C's only consultation.
    expect(s.school_secondary).toMatchObject({ livcs_member: 1, attendance_rate: 0, livcs_low_attendance: 1 });
    expect(s.school_secondary.invitations).toMatchObject({ sent: 1, accepted: 1 });
    // Justice house: B's structural invitation is still pending on the date; A's (expired) was to one case consultation: not counted.
    expect(s.justice_house.invitations).toEqual({ sent: 1, pending: 1, accepted: 0, declined: 0, expired: 0, withdrawn: 0 });
    expect(s.justice_house.livcs_member).toBe(0);
    // Youth work: works in Gent, never invited by B.
    expect(s.youth_work).toMatchObject({ livcs_never_invited: 1, attendance_rate: null, livcs_member: 0 });
    expect(s.caw.share_livcs_member).toBeCloseTo(1 / 3);
  });

  it("fills the matrix LIVC x sector", async () => {
    const r = await participationReport(ctx().database.db, D);
    const row = (id: string) => r.by_livc.find((l) => l.livc_id === id)!;
    expect(row(a).cells.caw).toEqual({ status: "member", low_attendance: true, members: 1 });
    // A's only invitations were to case consultations (decision 0052): the CLB, working in A's municipality, counts as never invited.
    expect(row(a).cells.clb.status).toBe("never_invited");
    expect(row(a).cells.justice_house.status).toBe("none");
    expect(row(b).cells.caw.status).toBe("declined");
    expect(row(b).cells.justice_house.status).toBe("pending");
    expect(row(b).cells.youth_work.status).toBe("never_invited");
    expect(row(c).cells.school_secondary).toEqual({ status: "member", low_attendance: true, members: 1 });
    // A: expected c1 3 + c2 3 + c3 2 = 8; attended 3 + 2 + 1 = 6.
    expect(row(a).attendance_rate).toBe(0.75);
    expect(row(b).attendance_rate).toBeNull();
    expect(row(a).invitations).toEqual({ sent: 0, pending: 0, accepted: 0, declined: 0, expired: 0, withdrawn: 0 });
    expect(row(a).decline_reasons).toEqual({});
    expect(row(b).invitations).toMatchObject({ sent: 2, declined: 1, pending: 1 });
  });

  it("answers for an earlier date as things stood then", async () => {
    const r = await participationReport(ctx().database.db, "2025-06-02");
    const caw = r.by_sector.find((f) => f.sector === "caw")!;
    expect(caw.invitations).toMatchObject({ sent: 1, pending: 1, declined: 0 });
    // Before 2025-06-02 the 2025-06-20 invitation to the justice house did not exist yet (A's expired one was to a case consultation).
    expect(r.by_sector.find((f) => f.sector === "justice_house")!.invitations).toMatchObject({ sent: 0, expired: 0, pending: 0 });
    // The school's invitation was sent 2024-12-01 and accepted 2024-12-10: on 2024-12-05 it was pending.
    const early = await participationReport(ctx().database.db, "2024-12-05");
    expect(early.by_sector.find((f) => f.sector === "school_secondary")!.invitations).toMatchObject({ sent: 1, pending: 1, accepted: 0 });
  });

  it("the regional view shows 1-4 as <5 and hides attendance rates of fewer than 5 organisations", async () => {
    const v = regionalView(await participationReport(ctx().database.db, D));
    const s = Object.fromEntries(v.by_sector.map((f) => [f.sector, f]));
    expect(s.caw.invitations).toEqual({ sent: "<5", pending: 0, accepted: 0, declined: "<5", expired: 0, withdrawn: 0 });
    expect(s.caw.decline_reasons).toEqual({ professional_secrecy: "<5" });
    expect(s.local_police).toMatchObject({ attendance_rate: null, attendance_rate_suppressed: true, livcs_member: 3 });
    expect(s.youth_work).toMatchObject({ attendance_rate: null, attendance_rate_suppressed: false });
    expect(JSON.stringify(v)).not.toMatch(/CAW X|PZ A|Jeugdhuis/);
  });
});
