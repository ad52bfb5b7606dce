import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeDialects, openTestContext, type TestContext } from "../../../test/support/db";
import { readMail } from "../../../test/support/mail";
import { type ReceivedMail, type SmtpReceiver, startSmtpReceiver } from "../../../test/support/smtp";
import { addDays, todayInBrussels } from "../../platform/db/values";
import { formatDate } from "../../platform/i18n";
import type { Actor } from "../../platform/policy/actor";
import * as cases from "../cases/service";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { activeEmailOf } from "../identity/service";
import * as partners from "../partners/service";
import { addFramework } from "../registry/service";
import { addAgendaCase, cancelMeeting, removeAgendaCase, rescheduleMeeting } from "./replan";
import { acknowledgeConfidentiality, meetingView, recordMeetingAttendance, saveCaseMinutes, scheduleMeeting, sendMeetingReminders } from "./service";
import * as store from "./store";

/**
 * Re-planning a planned consultation (decision 0043), on both databases, with mails caught by a real
 * SMTP receiver: who may, held meetings refused, reminders follow the new date, a cancelled meeting
 * gets no reminder and no minutes, invitations withdrawn and grants revoked in the same change.
 */
for (const dialect of activeDialects()) {
  describe(`meetings: reschedule, cancel, re-plan [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let inbox: ReceivedMail[] = [];
    let ctx: TestContext;
    let livc: string;
    let clb: string;
    let caw: string;
    let coordinator: Actor;
    let officer: Actor;
    let clbMember: Actor;
    let cawMember: Actor;
    let outsider: Actor;
    const caseIds: string[] = [];
    const today = todayInBrussels();
    const who = (actor: Actor) => ({ actor });

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      inbox = smtp.inbox;
      ctx = await openTestContext(dialect, { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
      livc = await makeLivc(ctx, "HERPLAN");
      await addFramework(ctx.database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
      clb = await makeOrganisation(ctx, "CLB Geheimstad", "clb");
      caw = await makeOrganisation(ctx, "CAW Verborgen", "caw");
      for (const org of [clb, caw]) await partners.addSeat(ctx, {}, { livcId: livc, seat: "partner", organisationId: org, fromOn: "2020-01-01" });
      coordinator = await makeActor(ctx, [{ livcId: livc, role: "coordinator" }]);
      officer = await makeActor(ctx, [{ livcId: livc, role: "information_officer" }]);
      clbMember = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: clb }]);
      cawMember = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: caw }]);
      outsider = await makeActor(ctx, [{ livcId: await makeLivc(ctx, "ELDERS"), role: "coordinator" }]);
      await partners.addOrganisationContact(ctx, {}, clb, clbMember.userId);
      // The CAW member reads French: their mails are in French.
      await ctx.database.db.updateTable("app_user").set({ language: "fr" }).where("id", "=", cawMember.userId).execute();
      for (let i = 0; i < 3; i++) {
        const c = await cases.openCaseFromScreening(ctx, who(coordinator), { livcId: livc, reportId: null, minor: false, identity: { fullName: "Rosa Onthulling", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" });
        caseIds.push(c.id);
      }
    }, 60_000);
    afterAll(async () => {
      await ctx?.close();
      await smtp?.stop();
    });

    const plan = (heldOn = addDays(today, 1)) =>
      scheduleMeeting(ctx, who(coordinator), {
        livcId: livc,
        heldOn,
        startsAt: "10:00",
        place: "Geheime Zaal 7",
        videoUrl: null,
        items: [
          { caseId: caseIds[0], organisationIds: [clb] },
          { caseId: caseIds[1], organisationIds: [caw] },
        ],
      });
    const invitationsOf = async (meetingId: string) => Promise.all((await store.servicesOf(ctx.database.db, meetingId)).map(async (s) => (await partners.invitationById(ctx, s.invitation_id!))!));
    const grantsOf = async (meetingId: string, userId: string) =>
      (await ctx.database.db.selectFrom("case_access_grant").select("case_id").where("consultation_id", "=", meetingId).where("user_id", "=", userId).where("revoked_at", "is", null).execute()).map((g) => g.case_id);
    /** The CLB member accepts their invitation for case 0 and acknowledges: a grant for case 0. */
    const partnerSeesCase0 = async (meetingId: string) => {
      const inv = (await invitationsOf(meetingId)).find((i) => i.organisation_id === clb)!;
      await partners.respondToInvitation(ctx, who(clbMember), inv.id, { answer: "accept" });
      await acknowledgeConfidentiality(ctx, who(clbMember), meetingId);
      expect(await grantsOf(meetingId, clbMember.userId)).toEqual([caseIds[0]]);
    };
    const secrets = ["Rosa", "Onthulling", "Geheime Zaal", "Nieuwe Zaal", "Geheimstad", "Verborgen", "HERPLAN", "Testpersoon"];

    it("only the LIVC's chair or coordinator re-plans: a participant is refused, an outsider finds nothing", async () => {
      const id = await plan();
      const input = { heldOn: addDays(today, 3), startsAt: null, place: "Elders", videoUrl: null };
      for (const actor of [clbMember, officer]) {
        await expect(rescheduleMeeting(ctx, who(actor), id, input)).rejects.toMatchObject({ code: "not_allowed" });
        await expect(cancelMeeting(ctx, who(actor), id, { reason: "other" })).rejects.toMatchObject({ code: "not_allowed" });
        await expect(removeAgendaCase(ctx, who(actor), id, caseIds[0])).rejects.toMatchObject({ code: "not_allowed" });
      }
      await expect(cancelMeeting(ctx, who(outsider), id, { reason: "other" })).rejects.toMatchObject({ code: "not_found" });
      expect((await store.meetingById(ctx.database.db, id))?.status).toBe("planned");
    });

    it("reschedules: refuses a past date, moves date and place, the reminder follows the new date, mails say only dates and a link", async () => {
      const id = await plan();
      await sendMeetingReminders(ctx, { today, aheadDays: 2 });
      expect((await store.meetingById(ctx.database.db, id))?.reminder_sent_at).not.toBeNull();
      await expect(rescheduleMeeting(ctx, who(coordinator), id, { heldOn: addDays(today, -1), startsAt: null, place: "x", videoUrl: null })).rejects.toMatchObject({ field: "held_on_past" });
      await expect(rescheduleMeeting(ctx, who(coordinator), id, { heldOn: addDays(today, 5), startsAt: "25:00", place: "x", videoUrl: null })).rejects.toMatchObject({ field: "starts_at" });
      inbox.length = 0;
      const newDay = addDays(today, 5);
      await rescheduleMeeting(ctx, who(coordinator), id, { heldOn: newDay, startsAt: "15:30", place: "Nieuwe Zaal", videoUrl: null });
      expect(await store.meetingById(ctx.database.db, id)).toMatchObject({ held_on: newDay, starts_at: "15:30", place: "Nieuwe Zaal", reminder_sent_at: null, status: "planned" });
      // Core members and the partner members of the invited organisations, each in their own language.
      const expected = await Promise.all([coordinator, officer, clbMember, cawMember].map((a) => activeEmailOf(ctx, a.userId)));
      expect(inbox.map((m) => m.to[0]).sort()).toEqual(expected.sort());
      const cawEmail = await activeEmailOf(ctx, cawMember.userId);
      for (const raw of inbox) {
        const m = readMail(raw);
        const lang = raw.to[0] === cawEmail ? "fr" : "nl";
        expect(m.subject).toBe(lang === "fr" ? `Modifiée : concertation de cas du ${formatDate("fr", addDays(today, 1))}` : `Gewijzigd: casusoverleg van ${formatDate("nl", addDays(today, 1))}`);
        expect(m.text).toContain(lang === "fr" ? `${formatDate("fr", newDay)} à 15:30` : `${formatDate("nl", newDay)} om 15:30`);
        expect(m.text).toContain(`https://schakel.example/meetings/${id}`);
        for (const secret of [...secrets, ...caseIds]) expect(`${m.subject}\n${m.text}`).not.toContain(secret);
      }
      // The old reminder window finds nothing; the new one reminds again.
      expect((await sendMeetingReminders(ctx, { today, aheadDays: 2 })).meetings).toBe(0);
      expect((await sendMeetingReminders(ctx, { today: addDays(today, 4), aheadDays: 2 })).meetings).toBeGreaterThanOrEqual(1);
      expect((await store.meetingById(ctx.database.db, id))?.reminder_sent_at).not.toBeNull();
    });

    it("a held meeting cannot be rescheduled, cancelled or re-planned", async () => {
      // Held today (attendance is recorded from the meeting's day on, with someone present: decision 0058).
      const id = await plan(today);
      await recordMeetingAttendance(ctx, who(coordinator), id, [coordinator.userId]);
      expect((await store.meetingById(ctx.database.db, id))?.status).toBe("held");
      await expect(rescheduleMeeting(ctx, who(coordinator), id, { heldOn: addDays(today, 3), startsAt: null, place: "x", videoUrl: null })).rejects.toMatchObject({ code: "not_planned" });
      await expect(cancelMeeting(ctx, who(coordinator), id, { reason: "other" })).rejects.toMatchObject({ code: "not_planned" });
      await expect(addAgendaCase(ctx, who(coordinator), id, { caseId: caseIds[2], organisationIds: [] })).rejects.toMatchObject({ code: "not_planned" });
    });

    it("cancels with a reason: invitations withdrawn (also accepted ones), grant revoked, no reminder, no minutes, the invited told", async () => {
      const id = await plan();
      await partnerSeesCase0(id);
      await expect(cancelMeeting(ctx, who(coordinator), id, { reason: "" })).rejects.toMatchObject({ field: "reason" });
      // A reason code only (decision 0053): a note is refused, not stored.
      await expect(cancelMeeting(ctx, who(coordinator), id, { reason: "force_majeure", note: "Zaal niet beschikbaar" })).rejects.toMatchObject({ field: "note" });
      expect((await store.meetingById(ctx.database.db, id))?.status).toBe("planned");
      inbox.length = 0;
      await cancelMeeting(ctx, who(coordinator), id, { reason: "force_majeure" });
      expect(await store.meetingById(ctx.database.db, id)).toMatchObject({ status: "cancelled", cancel_reason: "force_majeure", cancel_note: null, cancelled_by: coordinator.userId });
      expect((await invitationsOf(id)).map((i) => i.status)).toEqual(["withdrawn", "withdrawn"]);
      expect(await grantsOf(id, clbMember.userId)).toEqual([]);
      await expect(cases.visibleCase(ctx, who(clbMember), caseIds[0])).rejects.toBeTruthy();
      // The partner's next view of the meeting grants nothing back.
      await meetingView(ctx, who(clbMember), id);
      expect(await grantsOf(id, clbMember.userId)).toEqual([]);
      expect(inbox).toHaveLength(4);
      for (const m of inbox.map(readMail)) {
        expect(m.subject).toMatch(/^(Geannuleerd: casusoverleg van|Annulée : concertation de cas du) /);
        for (const secret of [...secrets, "niet beschikbaar", "force"]) expect(`${m.subject}\n${m.text}`).not.toContain(secret);
      }
      // No reminder for a cancelled meeting due tomorrow.
      inbox.length = 0;
      await sendMeetingReminders(ctx, { today, aheadDays: 2 });
      expect(inbox.filter((m) => readMail(m).text.includes(id))).toEqual([]);
      // Nothing is minuted or registered on it; the page says so.
      await acknowledgeConfidentiality(ctx, who(coordinator), id);
      await expect(saveCaseMinutes(ctx, who(coordinator), id, caseIds[0], { decisions: "x", nextReviewOn: null, actions: [] })).rejects.toMatchObject({ code: "cancelled" });
      await expect(recordMeetingAttendance(ctx, who(coordinator), id, [])).rejects.toMatchObject({ code: "cancelled" });
      const view = await meetingView(ctx, who(coordinator), id);
      expect(view.cancelled).toEqual({ reason: "force_majeure" });
      expect(view.may).toEqual({ minute: false, attendance: false, replan: false });
      await expect(cancelMeeting(ctx, who(coordinator), id, { reason: "other" })).rejects.toMatchObject({ code: "not_planned" });
    });

    it("adds a case with the offered services only, and takes one off: its invitation withdrawn, the partner's grant revoked", async () => {
      // Planned for today: the minutes below are saved from the meeting's day on (decision 0058).
      const id = await plan(today);
      await partnerSeesCase0(id);
      const elsewhere = await makeOrganisation(ctx, "School Elders", "school_primary");
      await expect(addAgendaCase(ctx, who(coordinator), id, { caseId: caseIds[2], organisationIds: [elsewhere] })).rejects.toMatchObject({ field: "services" });
      await expect(addAgendaCase(ctx, who(coordinator), id, { caseId: caseIds[0], organisationIds: [] })).rejects.toMatchObject({ field: "case" });
      inbox.length = 0;
      await addAgendaCase(ctx, who(coordinator), id, { caseId: caseIds[2], organisationIds: [clb] });
      expect((await store.agendaOf(ctx.database.db, id)).map((a) => [a.case_id, a.position])).toEqual([
        [caseIds[0], 1],
        [caseIds[1], 2],
        [caseIds[2], 3],
      ]);
      // The new invitation's notice went to the CLB's contact (the partners module's mail).
      expect(inbox.map((m) => m.to[0])).toEqual([await activeEmailOf(ctx, clbMember.userId)]);
      const before = await invitationsOf(id);
      await removeAgendaCase(ctx, who(coordinator), id, caseIds[0]);
      expect((await store.agendaOf(ctx.database.db, id)).map((a) => a.case_id)).toEqual([caseIds[1], caseIds[2]]);
      expect((await partners.invitationById(ctx, before.find((i) => i.case_ref === caseIds[0])!.id))?.status).toBe("withdrawn");
      expect((await partners.invitationById(ctx, before.find((i) => i.case_ref === caseIds[2])!.id))?.status).toBe("pending");
      expect(await grantsOf(id, clbMember.userId)).toEqual([]);
      await expect(cases.visibleCase(ctx, who(clbMember), caseIds[0])).rejects.toBeTruthy();
      // Not the last case, nor one with minutes.
      await acknowledgeConfidentiality(ctx, who(coordinator), id);
      await saveCaseMinutes(ctx, who(coordinator), id, caseIds[1], { decisions: null, nextReviewOn: null, actions: [] });
      await expect(removeAgendaCase(ctx, who(coordinator), id, caseIds[1])).rejects.toMatchObject({ field: "minuted" });
      await removeAgendaCase(ctx, who(coordinator), id, caseIds[2]);
      const other = await scheduleMeeting(ctx, who(coordinator), { livcId: livc, heldOn: addDays(today, 9), startsAt: null, place: "Zaal", videoUrl: null, items: [{ caseId: caseIds[2], organisationIds: [] }] });
      await expect(removeAgendaCase(ctx, who(coordinator), other, caseIds[2])).rejects.toMatchObject({ field: "last_case" });
    });
  });
}
