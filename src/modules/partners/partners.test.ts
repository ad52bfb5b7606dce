import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { addSeat, endSeat, invitationById, PartnerRuleError, respondToInvitation, runInvitationJob, seatsOfLivc, sendInvitation, statusOn } from "./service";
import { auditActions, makeLivc, makeOrg, system } from "./testkit";

const rule = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof PartnerRuleError) return e.code;
    throw e;
  }
  return "no error";
};

describeEachDialect("Invitation lifecycle", (ctx) => {
  it("accepting a structural invitation gives a partner seat from that day, and every step is audited", async () => {
    const livc = await makeLivc(ctx(), "LIVC Lifecycle A", ["11002"]);
    const caw = await makeOrg(ctx(), "CAW Antwerpen", "caw");
    const id = await sendInvitation(ctx(), system, { livcId: livc, organisationId: caw, kind: "structural", today: "2025-03-01", termDays: 14 });
    const sent = (await invitationById(ctx(), id))!;
    expect(sent).toMatchObject({ status: "pending", sent_on: "2025-03-01", expires_on: "2025-03-15" });
    expect(await respondToInvitation(ctx(), system, id, { answer: "accept", today: "2025-03-05" })).toBe("accepted");
    const seats = await seatsOfLivc(ctx(), livc, "2025-03-05");
    expect(seats).toHaveLength(1);
    expect(seats[0]).toMatchObject({ seat: "partner", organisation_id: caw, from_on: "2025-03-05", to_on: null, active: true });
    expect(await auditActions(ctx(), id)).toEqual(["partners.invitation.send", "partners.invitation.accept"]);
    // A second answer is refused: the transition table allows nothing after "accepted".
    expect(await rule(respondToInvitation(ctx(), system, id, { answer: "decline", reason: "trust", today: "2025-03-06" }))).toBe("not_pending");
    // And an organisation that already sits at the table cannot be invited structurally again.
    expect(await rule(sendInvitation(ctx(), system, { livcId: livc, organisationId: caw, kind: "structural", today: "2025-04-01" }))).toBe("already_member");
  });

  it("refuses a decline without a reason, and 'other' without a note; keeps the invitation pending", async () => {
    const livc = await makeLivc(ctx(), "LIVC Lifecycle B", ["44021"]);
    const clb = await makeOrg(ctx(), "CLB Gent", "clb");
    const id = await sendInvitation(ctx(), system, { livcId: livc, organisationId: clb, kind: "structural", today: "2025-03-01", termDays: 14 });
    expect(await rule(respondToInvitation(ctx(), system, id, { answer: "decline", today: "2025-03-02" }))).toBe("reason_required");
    expect(await rule(respondToInvitation(ctx(), system, id, { answer: "decline", reason: "because", today: "2025-03-02" }))).toBe("reason_required");
    expect(await rule(respondToInvitation(ctx(), system, id, { answer: "decline", reason: "other", note: "   ", today: "2025-03-02" }))).toBe("note_required");
    expect((await invitationById(ctx(), id))!.status).toBe("pending");
    expect(await respondToInvitation(ctx(), system, id, { answer: "decline", reason: "professional_secrecy", today: "2025-03-03" })).toBe("declined");
    expect(await invitationById(ctx(), id)).toMatchObject({ status: "declined", decline_reason: "professional_secrecy", responded_on: "2025-03-03" });
    expect(await seatsOfLivc(ctx(), livc, "2025-03-03")).toEqual([]);
    expect(await auditActions(ctx(), id)).toEqual(["partners.invitation.send", "partners.invitation.decline"]);
  });

  it("expires after the term: an answer on a later day is refused, the daily job expires the rest and reminds once", async () => {
    const livc = await makeLivc(ctx(), "LIVC Lifecycle C", ["24062"]);
    const jh = await makeOrg(ctx(), "Justitiehuis Leuven", "justice_house");
    const yw = await makeOrg(ctx(), "Jeugdwerk Leuven", "youth_work");
    const late = await sendInvitation(ctx(), system, { livcId: livc, organisationId: jh, kind: "consultation", caseRef: "C-2025-007", today: "2025-01-01", termDays: 10 });
    // The last day to answer is 2025-01-11; on 2025-01-12 it has expired.
    expect(await rule(respondToInvitation(ctx(), system, late, { answer: "accept", today: "2025-01-12" }))).toBe("expired");
    expect((await invitationById(ctx(), late))!.status).toBe("expired");
    const other = await sendInvitation(ctx(), system, { livcId: livc, organisationId: yw, kind: "structural", today: "2025-01-01", termDays: 10 });
    expect(await runInvitationJob(ctx(), "2025-01-09", 3)).toEqual({ expired: 0, reminded: 1 });
    expect(await runInvitationJob(ctx(), "2025-01-10", 3)).toEqual({ expired: 0, reminded: 0 });
    expect(await runInvitationJob(ctx(), "2025-01-12", 3)).toEqual({ expired: 1, reminded: 0 });
    const expired = (await invitationById(ctx(), other))!;
    expect(expired.status).toBe("expired");
    expect(await auditActions(ctx(), late)).toEqual(["partners.invitation.send", "partners.invitation.expire"]);
    // Reports on past dates see the status as it was.
    expect(statusOn(expired, "2025-01-11")).toBe("pending");
    expect(statusOn(expired, "2025-01-12")).toBe("expired");
    expect(statusOn(expired, "2024-12-31")).toBeNull();
  });

  it("a consultation invitation needs a case reference (opaque text only)", async () => {
    const livc = await makeLivc(ctx(), "LIVC Lifecycle D", ["31005"]);
    const caw = await makeOrg(ctx(), "CAW Brugge", "caw");
    expect(await rule(sendInvitation(ctx(), system, { livcId: livc, organisationId: caw, kind: "consultation", caseRef: "" }))).toBe("case_ref_required");
    expect(await rule(sendInvitation(ctx(), system, { livcId: livc, organisationId: caw, kind: "consultation", caseRef: "Jan Peeters, 17 jaar" }))).toBe("case_ref_required");
    const id = await sendInvitation(ctx(), system, { livcId: livc, organisationId: caw, kind: "consultation", caseRef: "C-2025-101" });
    expect((await invitationById(ctx(), id))!.case_ref).toBe("C-2025-101");
  });
});

describeEachDialect("Membership periods", (ctx) => {
  it("keeps seats with from/to dates, refuses overlaps and a second holder of a mandatory seat", async () => {
    const livc = await makeLivc(ctx(), "LIVC Periods", ["12025"]);
    const police = await makeOrg(ctx(), "PZ Mechelen-Willebroek", "local_police");
    const police2 = await makeOrg(ctx(), "PZ Andere", "local_police");
    const ocmw = await makeOrg(ctx(), "OCMW Mechelen", "ocmw_social_service");
    await addSeat(ctx(), system, { livcId: livc, seat: "chair", organisationId: null, fromOn: "2019-01-01" });
    const io = await addSeat(ctx(), system, { livcId: livc, seat: "information_officer", organisationId: police, fromOn: "2019-01-01", toOn: "2022-12-31" });
    expect(await rule(addSeat(ctx(), system, { livcId: livc, seat: "information_officer", organisationId: police2, fromOn: "2022-06-01" }))).toBe("seat_taken");
    await addSeat(ctx(), system, { livcId: livc, seat: "information_officer", organisationId: police2, fromOn: "2023-01-01" });
    expect(await rule(addSeat(ctx(), system, { livcId: livc, seat: "prevention_official", organisationId: null, fromOn: "2023-01-01" }))).toBe("organisation_required");
    const o1 = await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: ocmw, fromOn: "2020-01-01" });
    expect(await rule(addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: ocmw, fromOn: "2021-01-01" }))).toBe("overlap");
    expect(await rule(endSeat(ctx(), system, o1, "2019-12-31"))).toBe("to_before_from");
    await endSeat(ctx(), system, o1, "2021-06-30");
    await addSeat(ctx(), system, { livcId: livc, seat: "partner", organisationId: ocmw, fromOn: "2021-07-01" });
    // On the last day a seat still counts; the day after it does not.
    const on = async (date: string) => (await seatsOfLivc(ctx(), livc, date)).filter((s) => s.active).map((s) => `${s.seat}:${s.organisation_id ?? "-"}`).sort();
    expect(await on("2022-12-31")).toEqual([`information_officer:${police}`, "chair:-", `partner:${ocmw}`].sort());
    expect(await on("2023-01-01")).toEqual([`information_officer:${police2}`, "chair:-", `partner:${ocmw}`].sort());
    expect(await on("2019-06-01")).toEqual([`information_officer:${police}`, "chair:-"].sort());
    expect(await auditActions(ctx(), io)).toEqual(["partners.seat.add"]);
  });
});
