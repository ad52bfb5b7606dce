import { beforeAll, describe, expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import type { Actor } from "../../platform/policy/actor";
import * as cases from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import * as store from "./store";
import { acknowledgeConfidentiality, attendeesOf, MeetingError, meetingsFor, meetingView, recordMeetingAttendance, saveCaseMinutes, scheduleMeeting } from "./service";
import { expectSealed } from "../../../test/support/sealed";

const who = (actor: Actor) => ({ actor });

describeEachDialect("meetings", (ctx) => {
  let livc: string;
  let chair: Actor;
  let coordinator: Actor;
  let officer: Actor;
  let clbMember: Actor;
  let cawMember: Actor;
  let clb: string;
  let caw: string;
  let town: string;
  let police: string;
  let caseA: { id: string; label: string };
  let caseB: { id: string; label: string };

  beforeAll(async () => {
    livc = await makeLivc(ctx(), "MEET");
    clb = await makeOrganisation(ctx(), "CLB", "clb");
    caw = await makeOrganisation(ctx(), "CAW", "caw");
    town = await makeOrganisation(ctx(), "Stad", "prevention_service");
    police = await makeOrganisation(ctx(), "Politie", "local_police");
    chair = await makeActor(ctx(), [{ livcId: livc, role: "chair", organisationId: town }]);
    coordinator = await makeActor(ctx(), [{ livcId: livc, role: "coordinator", organisationId: town }]);
    officer = await makeActor(ctx(), [{ livcId: livc, role: "information_officer", organisationId: police }]);
    clbMember = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: clb }]);
    cawMember = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: caw }]);
    await partners.addOrganisationContact(ctx(), {}, clb, clbMember.userId);
    await partners.addOrganisationContact(ctx(), {}, caw, cawMember.userId);
    const open = () =>
      cases.openCaseFromScreening(ctx(), who(coordinator), { livcId: livc, reportId: null, minor: true, identity: { fullName: "Fictief Kind", dateOfBirth: "2010-01-01" }, screeningDecision: "take_up" });
    caseA = await open();
    caseB = await open();
  });

  // A past day: attendance and minutes are recorded from the meeting's day on (decision 0058).
  const schedule = () =>
    scheduleMeeting(ctx(), who(coordinator), {
      livcId: livc,
      heldOn: "2026-11-10",
      startsAt: "14:00",
      place: "Stadhuis, zaal 2",
      videoUrl: null,
      items: [
        { caseId: caseA.id, organisationIds: [clb] },
        { caseId: caseB.id, organisationIds: [caw] },
      ],
    });

  it("refuses a meeting without a framework in force (participants, purpose, arrangements fixed in advance)", async () => {
    await expect(schedule()).rejects.toMatchObject({ code: "no_framework" });
    await addFramework(ctx().database, {}, livc, { participants: "Vaste leden en uitgenodigde diensten", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2026-01-01" });
  });

  it("only the chair or coordinator schedules, with a place or a video link", async () => {
    await expect(scheduleMeeting(ctx(), who(clbMember), { livcId: livc, heldOn: "2026-12-10", startsAt: null, place: "x", videoUrl: null, items: [{ caseId: caseA.id, organisationIds: [] }] })).rejects.toBeInstanceOf(MeetingError);
    await expect(scheduleMeeting(ctx(), who(coordinator), { livcId: livc, heldOn: "2026-12-10", startsAt: null, place: "", videoUrl: null, items: [{ caseId: caseA.id, organisationIds: [] }] })).rejects.toMatchObject({ field: "place" });
  });

  describe("confidentiality gate and need to know", () => {
    let meetingId: string;
    beforeAll(async () => {
      meetingId = await schedule();
    });

    it("records the framework version in force and invites each service for its own case", async () => {
      const m = await store.meetingById(ctx().database.db, meetingId);
      expect(m).toMatchObject({ framework_version: 1, place: "Stadhuis, zaal 2", starts_at: "14:00", status: "planned" });
      const services = await store.servicesOf(ctx().database.db, meetingId);
      expect(services.map((s) => [s.case_id, s.organisation_id]).sort()).toEqual([[caseA.id, clb], [caseB.id, caw]].sort());
      expect(services.every((s) => s.invitation_id)).toBe(true);
    });

    it("before acknowledging, nothing of the cases shows, not even to the coordinator", async () => {
      for (const a of [coordinator, clbMember]) {
        const v = await meetingView(ctx(), who(a), meetingId);
        expect(v.acknowledged).toBe(false);
        expect(v.agenda).toEqual([]);
        expect(JSON.stringify(v)).not.toContain(caseA.label);
      }
    });

    it("an invited partner sees only their own case, and only after accepting and acknowledging", async () => {
      const inv = (await store.servicesOf(ctx().database.db, meetingId)).find((s) => s.organisation_id === clb)!;
      await acknowledgeConfidentiality(ctx(), who(clbMember), meetingId);
      // Acknowledged but the invitation is not accepted yet: still nothing.
      expect((await meetingView(ctx(), who(clbMember), meetingId)).agenda).toEqual([]);
      await expect(cases.getCase(ctx(), who(clbMember), caseA.id)).rejects.toMatchObject({ code: "not_found" });
      await partners.respondToInvitation(ctx(), who(clbMember), inv.invitation_id!, { answer: "accept", today: "2026-12-01" });
      const v = await meetingView(ctx(), who(clbMember), meetingId);
      expect(v.agenda.map((a) => a.label)).toEqual([caseA.label]);
      expect(v.hiddenItems).toBe(1);
      expect((await cases.getCase(ctx(), who(clbMember), caseA.id)).label).toBe(caseA.label);
      // Case B (CAW's) stays out of reach by id, list, label search and person search.
      await expect(cases.getCase(ctx(), who(clbMember), caseB.id)).rejects.toMatchObject({ code: "not_found" });
      expect((await cases.listCases(ctx(), who(clbMember))).map((c) => c.id)).toEqual([caseA.id]);
      expect(await cases.listCases(ctx(), who(clbMember), { q: caseB.label })).toEqual([]);
      expect((await cases.listCases(ctx(), who(clbMember), { fullName: "Fictief Kind", dateOfBirth: "2010-01-01" })).map((c) => c.id)).toEqual([caseA.id]);
    });

    it("a partner who was not invited cannot open the meeting at all", async () => {
      const outsider = await makeActor(ctx(), [{ livcId: livc, role: "partner_member", organisationId: await makeOrganisation(ctx(), "School", "school_secondary") }]);
      await expect(meetingView(ctx(), who(outsider), meetingId)).rejects.toMatchObject({ code: "not_found" });
      await expect(acknowledgeConfidentiality(ctx(), who(outsider), meetingId)).rejects.toMatchObject({ code: "not_found" });
      expect(await meetingsFor(ctx(), outsider)).toEqual([]);
      expect((await meetingsFor(ctx(), clbMember)).map((m) => m.id)).toContain(meetingId);
    });

    it("a withdrawn grant is revoked: declining later removes the access", async () => {
      const inv = (await store.servicesOf(ctx().database.db, meetingId)).find((s) => s.organisation_id === caw)!;
      await acknowledgeConfidentiality(ctx(), who(cawMember), meetingId);
      await partners.respondToInvitation(ctx(), who(cawMember), inv.invitation_id!, { answer: "decline", reason: "no_capacity", today: "2026-12-01" });
      expect((await meetingView(ctx(), who(cawMember), meetingId)).agenda).toEqual([]);
      await expect(cases.getCase(ctx(), who(cawMember), caseB.id)).rejects.toMatchObject({ code: "not_found" });
    });

    it("minutes are optional, need acknowledgement, and put actions on the case's plan", async () => {
      await expect(saveCaseMinutes(ctx(), who(coordinator), meetingId, caseA.id, { decisions: null, nextReviewOn: null, actions: [] })).rejects.toMatchObject({ code: "not_acknowledged" });
      await acknowledgeConfidentiality(ctx(), who(coordinator), meetingId);
      await expect(saveCaseMinutes(ctx(), who(clbMember), meetingId, caseA.id, { decisions: null, nextReviewOn: null, actions: [] })).rejects.toMatchObject({ code: "not_allowed" });
      // Nothing at all is a valid record: no field forces anyone to disclose.
      await saveCaseMinutes(ctx(), who(coordinator), meetingId, caseB.id, { decisions: null, nextReviewOn: null, actions: [] });
      await saveCaseMinutes(ctx(), who(coordinator), meetingId, caseA.id, {
        decisions: "Begeleiding via CLB opstarten",
        nextReviewOn: "2027-01-15",
        actions: [{ description: "Intakegesprek", ownerOrganisationId: clb, dueOn: "2026-12-20" }],
      });
      const v = await meetingView(ctx(), who(clbMember), meetingId);
      expect(v.agenda[0].minutes).toMatchObject({ decisions: "Begeleiding via CLB opstarten", nextReviewOn: "2027-01-15", revision: 1 });
      expect((await cases.actionsOfCase(ctx(), who(clbMember), caseA.id)).map((a) => [a.description, a.ownerOrganisationId])).toEqual([["Intakegesprek", clb]]);
      expect((await cases.getCase(ctx(), who(coordinator), caseA.id)).nextReviewOn).toBe("2027-01-15");
      const row = await store.minutesOf(ctx().database.db, meetingId, caseA.id);
      expectSealed(row?.decisions_enc, "Begeleiding via CLB opstarten");
    });

    it("attendance goes to the partners register, per person, and marks the meeting held", async () => {
      await acknowledgeConfidentiality(ctx(), who(officer), meetingId);
      await recordMeetingAttendance(ctx(), who(coordinator), meetingId, [coordinator.userId, officer.userId, clbMember.userId]);
      expect((await attendeesOf(ctx(), meetingId)).sort()).toEqual([coordinator.userId, officer.userId, clbMember.userId].sort());
      expect((await store.meetingById(ctx().database.db, meetingId))?.status).toBe("held");
      await expect(recordMeetingAttendance(ctx(), who(clbMember), meetingId, [])).rejects.toMatchObject({ code: "not_allowed" });
    });

    describe("feedback form consensus", () => {
      let formId: string;
      it("only the information officer drafts; attendees vote", async () => {
        await expect(cases.draftFeedback(ctx(), who(coordinator), caseA.id, meetingId, "Tekst")).rejects.toMatchObject({ code: "not_allowed" });
        formId = await cases.draftFeedback(ctx(), who(officer), caseA.id, meetingId, "Opvolging loopt via het CLB; geen verdere actie van de politie gevraagd.");
        const v = await cases.getFeedback(ctx(), who(clbMember), formId);
        expect(v.attendees.map((a) => a.userId).sort()).toEqual([coordinator.userId, officer.userId, clbMember.userId].sort());
        // The chair did not attend: may read as core member, may not vote.
        await expect(cases.voteFeedback(ctx(), who(chair), formId, "approve")).rejects.toMatchObject({ code: "not_allowed" });
        await expect(cases.getFeedback(ctx(), who(cawMember), formId)).rejects.toMatchObject({ code: "not_found" });
      });

      it("one missing approval blocks sending", async () => {
        await cases.attestFeedback(ctx(), who(officer), formId);
        await cases.voteFeedback(ctx(), who(officer), formId, "approve");
        await cases.voteFeedback(ctx(), who(coordinator), formId, "approve");
        const v = await cases.getFeedback(ctx(), who(officer), formId);
        expect(v.blockers).toEqual(["missing_approval"]);
        await expect(cases.markFeedbackSent(ctx(), who(officer), formId)).rejects.toMatchObject({ code: "wrong_status" });
      });

      it("one objection blocks sending", async () => {
        await cases.voteFeedback(ctx(), who(clbMember), formId, "object");
        expect((await cases.getFeedback(ctx(), who(officer), formId)).blockers).toEqual(["objection"]);
        await expect(cases.markFeedbackSent(ctx(), who(officer), formId)).rejects.toMatchObject({ code: "wrong_status" });
      });

      it("an edit starts a new revision: all approvals and the attestation are asked again", async () => {
        await cases.editFeedback(ctx(), who(officer), formId, "Opvolging loopt via een partner; geen verdere actie gevraagd.");
        const v = await cases.getFeedback(ctx(), who(officer), formId);
        expect(v.revision).toBe(2);
        expect(v.blockers).toEqual(["missing_approval", "not_attested"]);
        for (const a of [officer, coordinator, clbMember]) await cases.voteFeedback(ctx(), who(a), formId, "approve");
        expect((await cases.getFeedback(ctx(), who(officer), formId)).blockers).toEqual(["not_attested"]);
        await expect(cases.markFeedbackSent(ctx(), who(officer), formId)).rejects.toMatchObject({ code: "wrong_status" });
      });

      it("with every attendee's approval and the attestation it is sent, by the drafter only", async () => {
        await cases.attestFeedback(ctx(), who(officer), formId);
        await expect(cases.markFeedbackSent(ctx(), who(coordinator), formId)).rejects.toMatchObject({ code: "not_allowed" });
        await cases.markFeedbackSent(ctx(), who(officer), formId);
        const v = await cases.getFeedback(ctx(), who(clbMember), formId);
        expect(v.status).toBe("sent");
        await expect(cases.voteFeedback(ctx(), who(clbMember), formId, "object")).rejects.toMatchObject({ code: "not_allowed" });
        const actions = await ctx().database.db.selectFrom("audit_entry").select("action").where("resource_id", "=", formId).orderBy("seq").execute();
        expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(["feedback.draft", "feedback.attest_no_secrecy", "feedback.approve", "feedback.object", "feedback.edit", "feedback.send"]));
      });
    });

    it("the purge also removes the minutes' decisions", async () => {
      await cases.transitionCase(ctx(), who(chair), caseA.id, "close", { reason: "concern_addressed", today: "2027-02-01" });
      const until = (await cases.caseRow(ctx(), caseA.id))!.retention_until!;
      const r = await cases.runPurge(ctx(), { today: until });
      expect(r.purged.find((p) => p.caseId === caseA.id)?.removed).toMatchObject({ minutes_decisions: 1, feedback_forms: 1, action_descriptions: 1 });
      expect((await store.minutesOf(ctx().database.db, meetingId, caseA.id))?.decisions_enc).toBeNull();
    });
  });
});
