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
import { cancelMeeting, removeAgendaCase, rescheduleMeeting } from "./replan";
import { acknowledgeConfidentiality, saveCaseMinutes, scheduleMeeting } from "./service";
import * as store from "./store";

/**
 * Re-planning's loose ends (decision 0043), on both databases with a real SMTP receiver: taking a
 * case off and cancelling leave content-free events on the case timeline; a case closed since the
 * planning blocks rescheduling (named by its label); the services whose invitation was withdrawn
 * when their case is taken off are told by mail (their language, a date and a link only).
 */
for (const dialect of activeDialects()) {
  describe(`meetings: re-planning timeline, closed cases, take-off mail [${dialect}]`, () => {
    let smtp: SmtpReceiver;
    let inbox: ReceivedMail[] = [];
    let ctx: TestContext;
    let livc: string;
    let clb: string;
    let caw: string;
    let chair: Actor;
    let coordinator: Actor;
    let clbMember: Actor;
    let cawMember: Actor;
    const today = todayInBrussels();
    const who = (actor: Actor) => ({ actor });
    const secrets = ["Rosa", "Onthulling", "Geheime Zaal", "Geheimstad", "Verborgen", "LOSSE"];

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      inbox = smtp.inbox;
      ctx = await openTestContext(dialect, { SMTP_URL: smtp.url, SCHAKEL_PUBLIC_URL: "https://schakel.example" });
      livc = await makeLivc(ctx, "LOSSE");
      await addFramework(ctx.database, {}, livc, { participants: "p", purpose: "d", working_arrangements: "w", adopted_on: "2020-01-01" });
      clb = await makeOrganisation(ctx, "CLB Geheimstad", "clb");
      caw = await makeOrganisation(ctx, "CAW Verborgen", "caw");
      for (const org of [clb, caw]) await partners.addSeat(ctx, {}, { livcId: livc, seat: "partner", organisationId: org, fromOn: "2020-01-01" });
      chair = await makeActor(ctx, [{ livcId: livc, role: "chair" }]);
      coordinator = await makeActor(ctx, [{ livcId: livc, role: "coordinator" }]);
      clbMember = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: clb }]);
      cawMember = await makeActor(ctx, [{ livcId: livc, role: "partner_member", organisationId: caw }]);
      await partners.addOrganisationContact(ctx, {}, clb, clbMember.userId);
      await partners.addOrganisationContact(ctx, {}, caw, cawMember.userId);
      // The CAW contact reads French.
      await ctx.database.db.updateTable("app_user").set({ language: "fr" }).where("id", "=", cawMember.userId).execute();
    }, 60_000);
    afterAll(async () => {
      await ctx?.close();
      await smtp?.stop();
    });

    const openCase = async () =>
      (await cases.openCaseFromScreening(ctx, who(coordinator), { livcId: livc, reportId: null, minor: false, identity: { fullName: "Rosa Onthulling", dateOfBirth: "1990-01-01" }, screeningDecision: "take_up" })).id;
    const plan = (items: { caseId: string; organisationIds: string[] }[], heldOn = addDays(today, 6)) =>
      scheduleMeeting(ctx, who(coordinator), { livcId: livc, heldOn, startsAt: "10:00", place: "Geheime Zaal 3", videoUrl: null, items });
    const eventsOf = (caseId: string) => ctx.database.db.selectFrom("case_event").selectAll().where("case_id", "=", caseId).orderBy("at").execute();
    const invitationFor = async (meetingId: string, caseId: string, organisationId: string) =>
      (await store.servicesOf(ctx.database.db, meetingId)).find((s) => s.case_id === caseId && s.organisation_id === organisationId)!.invitation_id!;

    it("taking a case off and cancelling put content-free events on the case timelines", async () => {
      const [a, b, c] = [await openCase(), await openCase(), await openCase()];
      const id = await plan([
        { caseId: a, organisationIds: [clb] },
        { caseId: b, organisationIds: [] },
        { caseId: c, organisationIds: [caw] },
      ]);
      await removeAgendaCase(ctx, who(coordinator), id, a);
      const offA = (await eventsOf(a)).filter((e) => e.kind === "agenda_removed");
      expect(offA).toHaveLength(1);
      expect(offA[0]).toMatchObject({ consultation_id: id, actor_id: coordinator.userId, note_enc: null, reason: null, from_status: null, to_status: null });
      expect((await eventsOf(b)).map((e) => e.kind)).not.toContain("agenda_removed");

      await cancelMeeting(ctx, who(coordinator), id, { reason: "other" });
      for (const caseId of [b, c]) {
        const cancelled = (await eventsOf(caseId)).filter((e) => e.kind === "consultation_cancelled");
        expect(cancelled).toHaveLength(1);
        // Neither the reason nor the note of the cancellation reaches the case.
        expect(cancelled[0]).toMatchObject({ consultation_id: id, actor_id: coordinator.userId, note_enc: null, reason: null });
      }
      // The case taken off earlier was no longer on the agenda: no cancellation on its timeline.
      expect((await eventsOf(a)).map((e) => e.kind)).not.toContain("consultation_cancelled");

      // The timeline (what the case page shows) has them, in order, without a note.
      const tl = await cases.timeline(ctx, who(coordinator), a);
      expect(tl.map((e) => e.kind)).toEqual(["opened", "scheduled", "agenda_removed"]);
      expect(tl.at(-1)).toMatchObject({ consultationId: id, note: null, reason: null });
      expect((await cases.timeline(ctx, who(coordinator), c)).map((e) => e.kind)).toEqual(["opened", "scheduled", "consultation_cancelled"]);
    });

    it("a case closed since the planning blocks rescheduling, named by its label; taken off, the meeting moves", async () => {
      const [open, closing] = [await openCase(), await openCase()];
      const id = await plan([
        { caseId: open, organisationIds: [] },
        { caseId: closing, organisationIds: [clb] },
      ]);
      await cases.transitionCase(ctx, who(chair), closing, "close", { reason: "concern_addressed" });
      const label = (await cases.labelsOf(ctx, [closing])).get(closing)!.label;
      inbox.length = 0;
      const input = { heldOn: addDays(today, 9), startsAt: "14:00", place: "Elders", videoUrl: null };
      await expect(rescheduleMeeting(ctx, who(coordinator), id, input)).rejects.toMatchObject({ code: "invalid", field: "closed_case", label });
      // Nothing moved, nobody was mailed.
      expect(await store.meetingById(ctx.database.db, id)).toMatchObject({ held_on: addDays(today, 6), starts_at: "10:00", place: "Geheime Zaal 3" });
      expect(inbox).toHaveLength(0);
      // Input errors still come first; then the closed case.
      await expect(rescheduleMeeting(ctx, who(coordinator), id, { ...input, startsAt: "25:00" })).rejects.toMatchObject({ field: "starts_at" });

      await removeAgendaCase(ctx, who(coordinator), id, closing);
      await rescheduleMeeting(ctx, who(coordinator), id, input);
      expect(await store.meetingById(ctx.database.db, id)).toMatchObject({ held_on: addDays(today, 9), starts_at: "14:00", place: "Elders" });
    });

    it("a closed case with minutes on this meeting was discussed: it does not block rescheduling", async () => {
      const [minuted, other] = [await openCase(), await openCase()];
      // Planned for today: minutes are saved from the meeting's day on (decision 0058), then it moves on.
      const id = await plan(
        [
          { caseId: minuted, organisationIds: [] },
          { caseId: other, organisationIds: [] },
        ],
        today,
      );
      await acknowledgeConfidentiality(ctx, who(coordinator), id);
      await saveCaseMinutes(ctx, who(coordinator), id, minuted, { decisions: null, nextReviewOn: null, actions: [] });
      await cases.transitionCase(ctx, who(chair), minuted, "close", { reason: "concern_addressed" });
      await rescheduleMeeting(ctx, who(coordinator), id, { heldOn: addDays(today, 10), startsAt: null, place: "Zaal", videoUrl: null });
      expect((await store.meetingById(ctx.database.db, id))?.held_on).toBe(addDays(today, 10));
    });

    it("taking a case off mails the contacts of the services whose invitation was withdrawn: their language, a date and a link only", async () => {
      const [a, b, c] = [await openCase(), await openCase(), await openCase()];
      const heldOn = addDays(today, 7);
      const id = await plan(
        [
          { caseId: a, organisationIds: [clb, caw] },
          { caseId: b, organisationIds: [caw] },
          { caseId: c, organisationIds: [] },
        ],
        heldOn,
      );
      // The CAW declined case a: its answer stands, it is not withdrawn and not mailed.
      await partners.respondToInvitation(ctx, who(cawMember), await invitationFor(id, a, caw), { answer: "decline", reason: "no_capacity" });
      const labels = [...(await cases.labelsOf(ctx, [a, b, c])).values()].map((l) => l.label);
      const forbidden = [...secrets, ...labels, a, b, c, "Rosa"];

      inbox.length = 0;
      expect(await removeAgendaCase(ctx, who(coordinator), id, a)).toEqual({ sent: 1, failed: 0 });
      expect(inbox.map((m) => m.to[0])).toEqual([await activeEmailOf(ctx, clbMember.userId)]);
      const nl = readMail(inbox[0]);
      expect(nl.subject).toBe(`Uitnodiging ingetrokken: casusoverleg van ${formatDate("nl", heldOn)}`);
      expect(nl.text).toContain(`casusoverleg van ${formatDate("nl", heldOn)} werd ingetrokken`);
      expect(nl.text).toContain("https://schakel.example/invitations");
      for (const s of forbidden) expect(`${nl.subject}\n${nl.text}`).not.toContain(s);

      const invB = await invitationFor(id, b, caw);
      inbox.length = 0;
      await removeAgendaCase(ctx, who(coordinator), id, b);
      expect(inbox.map((m) => m.to[0])).toEqual([await activeEmailOf(ctx, cawMember.userId)]);
      const fr = readMail(inbox[0]);
      expect(fr.subject).toBe(`Invitation retirée : concertation de cas du ${formatDate("fr", heldOn)}`);
      expect(fr.text).toContain("https://schakel.example/invitations");
      for (const s of forbidden) expect(`${fr.subject}\n${fr.text}`).not.toContain(s);
      expect((await partners.invitationById(ctx, invB))?.status).toBe("withdrawn");
    });
  });
}
