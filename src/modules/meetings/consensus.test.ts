import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import * as cases from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { rescheduleMeeting } from "./replan";
import { acknowledgeConfidentiality, caseParticipants, expectedParticipants, meetingView, recordMeetingAttendance, scheduleMeeting } from "./service";
import * as store from "./store";
import { addDays, todayInBrussels } from "../../platform/db/values";

const who = (actor: Actor) => ({ actor });
const sorted = (ids: string[]) => [...ids].sort();

/**
 * Decision 0051. A two-case consultation with a different service per case: each case's feedback form
 * is agreed by exactly the people who took part in discussing THAT case (present AND core member of
 * the LIVC, or there for the service invited for that case), the chair without an organisation
 * included; a form is tied only to a held consultation that had the case on its agenda; a new
 * framework version (rescheduling) asks every participant to acknowledge again.
 */
describeEachDialect("meetings: the feedback form's consensus and the framework", (ctx) => {
  let livc: string;
  let chair: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let clbMember: Actor;
  let cawMember: Actor;
  let clb: string;
  let caw: string;
  let caseA: { id: string; label: string };
  let caseB: { id: string; label: string };
  let caseC: { id: string; label: string };
  let meetingId: string;

  const open = () =>
    cases.openCaseFromScreening(ctx(), who(coordinator), { livcId: livc, reportId: null, minor: false, identity: { fullName: "Fictieve Persoon", dateOfBirth: "1999-09-09" }, screeningDecision: "take_up" });
  const accept = async (id: string, organisationId: string, actor: Actor) => {
    const s = (await store.servicesOf(ctx().database.db, id)).find((x) => x.organisation_id === organisationId)!;
    await partners.respondToInvitation(ctx(), who(actor), s.invitation_id!, { answer: "accept" });
  };

  beforeAll(async () => {
    livc = await makeLivc(ctx());
    await addFramework(ctx().database, {}, livc, { participants: "Vaste leden en per casus uitgenodigde diensten", purpose: "Casusoverleg over radicalisering", working_arrangements: "Maandelijks, agenda vooraf", adopted_on: "2026-01-01" });
    clb = await makeOrganisation(ctx(), "CLB", "clb");
    caw = await makeOrganisation(ctx(), "CAW", "caw");
    const town = await makeOrganisation(ctx(), "Stad", "prevention_service");
    const police = await makeOrganisation(ctx(), "Politie", "local_police");
    // The mayor-chair, linked on the LIVC form: no organisation.
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair" }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator", organisationId: town }]);
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer", organisationId: police }]);
    clbMember = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: clb }]);
    cawMember = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: caw }]);
    await partners.addOrganisationContact(ctx(), {}, clb, clbMember.userId);
    await partners.addOrganisationContact(ctx(), {}, caw, cawMember.userId);
    caseA = await open();
    caseB = await open();
    caseC = await open();
    meetingId = await scheduleMeeting(ctx(), who(coordinator), {
      livcId: livc,
      // A past day: the register is kept from the meeting's day on (decision 0058).
      heldOn: "2026-11-10",
      startsAt: "14:00",
      place: "Stadhuis",
      videoUrl: null,
      items: [
        { caseId: caseA.id, organisationIds: [clb] },
        { caseId: caseB.id, organisationIds: [caw] },
      ],
    });
    await accept(meetingId, clb, clbMember);
    await accept(meetingId, caw, cawMember);
    for (const a of [chair, coordinator, officer, clbMember, cawMember]) await acknowledgeConfidentiality(ctx(), who(a), meetingId);
  }, 60_000);

  it("the register lists the chair without an organisation and records them present", async () => {
    const expected = await expectedParticipants(ctx(), who(coordinator), meetingId);
    expect(expected.find((p) => p.userId === chair.userId)).toMatchObject({ organisationId: null });
    await recordMeetingAttendance(ctx(), who(coordinator), meetingId, [chair.userId, coordinator.userId, officer.userId, clbMember.userId, cawMember.userId]);
    const lines = await partners.attendanceFor(ctx(), meetingId);
    expect(lines.find((l) => l.user_id === chair.userId)).toMatchObject({ organisation_id: null, sector: null, attended: true });
    expect(lines.filter((l) => l.attended)).toHaveLength(5);
    expect((await store.meetingById(ctx().database.db, meetingId))?.status).toBe("held");
    // The participation figures count organisations only: the chair's line is no sector's presence.
    const sectors = await partners.attendedSectorsByMonth(ctx(), "2026-11-01", "2026-11-30");
    expect(sectors.filter((s) => s.livcId === livc).map((s) => s.sector).sort()).toEqual(["caw", "clb", "local_police", "prevention_service"]);
  });

  it("each case's participants are exactly its own: core members (the chair included) and the service invited for it", async () => {
    const core = [chair.userId, coordinator.userId, officer.userId];
    expect(sorted(await caseParticipants(ctx(), meetingId, caseA.id))).toEqual(sorted([...core, clbMember.userId]));
    expect(sorted(await caseParticipants(ctx(), meetingId, caseB.id))).toEqual(sorted([...core, cawMember.userId]));
    expect(await caseParticipants(ctx(), meetingId, caseC.id)).toEqual([]);
  });

  describe("case A's form", () => {
    let formId: string;
    it("needs exactly case A's participants; the partner there for case B neither votes nor blocks", async () => {
      formId = await cases.draftFeedback(ctx(), who(officer), caseA.id, meetingId, "Opvolging via het CLB; geen actie van de politie gevraagd.");
      const v = await cases.getFeedback(ctx(), who(officer), formId);
      expect(sorted(v.attendees.map((a) => a.userId))).toEqual(sorted([chair.userId, coordinator.userId, officer.userId, clbMember.userId]));
      await expect(cases.getFeedback(ctx(), who(cawMember), formId)).rejects.toMatchObject({ code: "not_found" });
      await expect(cases.voteFeedback(ctx(), who(cawMember), formId, "object")).rejects.toMatchObject({ code: "not_found" });
      await cases.attestFeedback(ctx(), who(officer), formId);
      for (const a of [officer, coordinator, clbMember]) await cases.voteFeedback(ctx(), who(a), formId, "approve");
      // The chair took part and has not approved: the form cannot go.
      expect((await cases.getFeedback(ctx(), who(officer), formId)).blockers).toEqual(["missing_approval"]);
      await expect(cases.markFeedbackSent(ctx(), who(officer), formId)).rejects.toMatchObject({ code: "wrong_status" });
      await cases.voteFeedback(ctx(), who(chair), formId, "approve");
      const ready = await cases.getFeedback(ctx(), who(officer), formId);
      expect(ready).toMatchObject({ consensus: true, blockers: [] });
      await cases.markFeedbackSent(ctx(), who(officer), formId);
      expect((await cases.getFeedback(ctx(), who(chair), formId)).status).toBe("sent");
    });

    it("case B's form needs the CAW member and not the CLB member", async () => {
      const b = await cases.draftFeedback(ctx(), who(officer), caseB.id, meetingId, "Opvolging via het CAW.");
      const v = await cases.getFeedback(ctx(), who(cawMember), b);
      expect(sorted(v.attendees.map((a) => a.userId))).toEqual(sorted([chair.userId, coordinator.userId, officer.userId, cawMember.userId]));
      expect(v.may.vote).toBe(true);
      await expect(cases.getFeedback(ctx(), who(clbMember), b)).rejects.toMatchObject({ code: "not_found" });
      // The case page's list of forms: the core roles see every form without the register being read; the
      // partner who took part in discussing case B sees its form.
      expect((await cases.feedbackOfCase(ctx(), who(officer), caseB.id)).map((f) => f.id)).toEqual([b]);
      expect((await cases.feedbackOfCase(ctx(), who(cawMember), caseB.id)).map((f) => [f.id, f.consultationId, f.status])).toEqual([[b, meetingId, "draft"]]);
    });
  });

  it("a form is refused for a consultation that did not discuss the case, or was not held", async () => {
    // Case C was on no agenda of this meeting.
    await expect(cases.draftFeedback(ctx(), who(officer), caseC.id, meetingId, "Tekst")).rejects.toMatchObject({ code: "invalid", field: "consultation", reason: "not_on_agenda" });
    const planned = await scheduleMeeting(ctx(), who(coordinator), { livcId: livc, heldOn: "2026-12-20", startsAt: null, place: "Stadhuis", videoUrl: null, items: [{ caseId: caseC.id, organisationIds: [] }] });
    await expect(cases.draftFeedback(ctx(), who(officer), caseC.id, planned, "Tekst")).rejects.toMatchObject({ code: "invalid", reason: "not_held" });
    // Another LIVC's consultation.
    const other = await makeLivc(ctx());
    const foreign = await partners.createConsultation(ctx(), {}, { livcId: other, heldOn: "2026-12-01", status: "held" });
    await expect(cases.draftFeedback(ctx(), who(officer), caseC.id, foreign, "Tekst")).rejects.toMatchObject({ code: "invalid", reason: "unknown" });
    const forms = await ctx().database.db.selectFrom("feedback_form").select("id").where("case_id", "=", caseC.id).execute();
    expect(forms).toEqual([]);
  });

  it("a form drafted earlier for a consultation that did not discuss the case is never sent", async () => {
    // As a form made before decision 0051 could be: tied to the meeting, for case C that was not on its agenda.
    const legacy = await cases.draftFeedback(ctx(), who(officer), caseA.id, meetingId, "Oude fiche");
    await ctx().database.db.updateTable("feedback_form").set({ case_id: caseC.id }).where("id", "=", legacy).execute();
    const v = await cases.getFeedback(ctx(), who(officer), legacy);
    expect(v.blockers[0]).toBe("not_discussed");
    expect(v.may.send).toBe(false);
    await expect(cases.markFeedbackSent(ctx(), who(officer), legacy)).rejects.toMatchObject({ reason: "not_on_agenda" });
  });

  it("a new framework version on the new date asks the participant to acknowledge again", async () => {
    // Dates from today (a rescheduling to a past date is refused): the meeting under version 1, then moved past version 2's adoption.
    const today = todayInBrussels();
    await addFramework(ctx().database, {}, livc, { participants: "Vaste leden, diensten per casus en de jeugdhulp", purpose: "Casusoverleg over radicalisering", working_arrangements: "Tweewekelijks", adopted_on: addDays(today, 90) });
    const id = await scheduleMeeting(ctx(), who(coordinator), { livcId: livc, heldOn: addDays(today, 70), startsAt: null, place: "Stadhuis", videoUrl: null, items: [{ caseId: caseC.id, organisationIds: [clb] }] });
    await accept(id, clb, clbMember);
    await acknowledgeConfidentiality(ctx(), who(clbMember), id);
    const before = await meetingView(ctx(), who(clbMember), id);
    expect(before).toMatchObject({ acknowledged: true, frameworkVersion: 1, framework: { version: 1, purpose: "Casusoverleg over radicalisering", workingArrangements: "Maandelijks, agenda vooraf" } });
    expect((await cases.getCase(ctx(), who(clbMember), caseC.id)).id).toBe(caseC.id);

    await rescheduleMeeting(ctx(), who(coordinator), id, { heldOn: addDays(today, 100), startsAt: null, place: "Stadhuis", videoUrl: null });
    const after = await meetingView(ctx(), who(clbMember), id);
    expect(after).toMatchObject({ acknowledged: false, acknowledgedVersion: 1, frameworkVersion: 2, agenda: [], framework: { version: 2, workingArrangements: "Tweewekelijks" } });
    // The grant that the old acknowledgement opened is revoked at the rescheduling.
    await expect(cases.getCase(ctx(), who(clbMember), caseC.id)).rejects.toMatchObject({ code: "not_found" });

    await acknowledgeConfidentiality(ctx(), who(clbMember), id);
    expect(await store.anyAckOf(ctx().database.db, id, clbMember.userId)).toMatchObject({ framework_version: 2 });
    const again = await meetingView(ctx(), who(clbMember), id);
    expect(again).toMatchObject({ acknowledged: true, acknowledgedVersion: null });
    expect(again.agenda.map((a) => a.caseId)).toEqual([caseC.id]);
    const audit = await ctx().database.db.selectFrom("audit_entry").select("action").where("resource_id", "=", id).where("action", "=", "meeting.acknowledge_confidentiality").execute();
    expect(audit).toHaveLength(2);
  });
});
