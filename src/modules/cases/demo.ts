import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";
import { addDays, bornYearsBefore, todayInBrussels } from "../../platform/db/values";
import type { Actor, LivcMembership } from "../../platform/policy/actor";
import { ensureDemoUser, ensureOrganisation } from "../identity/service";
import * as meetings from "../meetings/service";
import * as partners from "../partners/service";
import { addFramework, livcByCode } from "../registry/service";
import * as cases from "./service";
import { extend } from "../../platform/objects";

const actorOf = (userId: string, displayName: string, memberships: LivcMembership[]): Actor => ({ userId, displayName, sessionId: "demo-seed", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships });

/**
 * Fictional cases and consultations for LIVC Gent: a consultation held a month ago (minutes, an
 * overdue action, a feedback form waiting for approvals), one planned next week with two cases and
 * a CLB and a CAW invited for one case each, and a case closed last year with a review due.
 */
export async function seedCasesDemo(ctx: AppContext): Promise<DemoAccount[]> {
  const db = ctx.database.db;
  const gent = await livcByCode(db, "LIVC-44021");
  if (!gent) return [];
  if ((await db.selectFrom("consultation_case").select("case_id").limit(1).execute()).length > 0) return [];
  const today = todayInBrussels();
  const town = await ensureOrganisation(ctx, { name: "Stad Gent, dienst preventie (demo)", sector: "prevention_service" });
  const police = await ensureOrganisation(ctx, { name: "Politiezone Gent (demo)", sector: "local_police" });
  const clb = await ensureOrganisation(ctx, { name: "CLB Gent (demo)", sector: "clb" });
  const caw = await ensureOrganisation(ctx, { name: "CAW Oost-Vlaanderen (demo)", sector: "caw" });
  const u = async (email: string, name: string, role: string, m: LivcMembership) => {
    const r = await ensureDemoUser(ctx, { email, displayName: name, role, memberships: [{ livcId: m.livcId, role: m.role, organisationId: m.organisationId }] });
    return extend(r, { actor: actorOf(r.userId, name, [m]) });
  };
  const chair = await u("voorzitter.gent@demo.schakel.test", "Hilde Voorzitter (demo)", "chair, LIVC Gent", { livcId: gent.id, role: "chair", organisationId: town });
  const coordinator = await u("coordinator.gent@demo.schakel.test", "Yusuf Coördinator (demo)", "coordinator, LIVC Gent", { livcId: gent.id, role: "coordinator", organisationId: town });
  const io = await u("io.gent@demo.schakel.test", "Marc Informatie (demo)", "information officer, LIVC Gent", { livcId: gent.id, role: "information_officer", organisationId: police });
  const clbMember = await u("clb.gent@demo.schakel.test", "Lotte CLB (demo)", "partner member (CLB), LIVC Gent", { livcId: gent.id, role: "partner_member", organisationId: clb });
  const cawMember = await u("caw.gent@demo.schakel.test", "Pieter CAW (demo)", "partner member (CAW), LIVC Gent", { livcId: gent.id, role: "partner_member", organisationId: caw });
  await partners.addOrganisationContact(ctx, {}, clb, clbMember.userId).catch(() => {});
  await partners.addOrganisationContact(ctx, {}, caw, cawMember.userId).catch(() => {});
  const who = (a: { actor: Actor }) => ({ actor: a.actor, clientAddress: null, correlationId: "demo-seed" });

  if ((await meetings.frameworkInForce(ctx, gent.id, addDays(today, -60))) === null) {
    await addFramework(ctx.database, who(chair), gent.id, {
      participants: "Burgemeester (voorzitter), LIVC-coördinator, informatieambtenaar; per casus uitgenodigde diensten (CLB, CAW, OCMW, jeugdwerk).",
      purpose: "Casusoverleg over personen met signalen van gewelddadige radicalisering, met het oog op zorg en preventie.",
      working_arrangements: "Maandelijks; agenda een week vooraf; gedeeld beroepsgeheim (art. 458ter Sw.); verslag minimaal.",
      adopted_on: addDays(today, -400),
    });
  }
  const open = (name: string, dob: string, minor: boolean, openedOn: string) =>
    cases.openCaseFromScreening(ctx, who(coordinator), { livcId: gent.id, reportId: null, minor, identity: { fullName: name, dateOfBirth: dob }, screeningDecision: "take_up", openedOn });
  const a = await open("Noah Demovoorbeeld", bornYearsBefore(today, 17, "03-21"), true, addDays(today, -75));
  const b = await open("Yasmine Fictief", bornYearsBefore(today, 25, "11-02"), false, addDays(today, -50));
  const old = await open("Kevin Voorbeeldman", bornYearsBefore(today, 31, "06-30"), false, addDays(today, -600));

  // A consultation held a month ago: minutes, an overdue action, a feedback form in draft.
  const held = await meetings.scheduleMeeting(ctx, who(coordinator), { livcId: gent.id, heldOn: addDays(today, -30), startsAt: "14:00", place: "Stadhuis Gent, zaal Keizer Karel (demo)", videoUrl: null, items: [{ caseId: a.id, organisationIds: [clb] }] });
  const clbInv = (await db.selectFrom("consultation_case_service").select("invitation_id").where("consultation_id", "=", held).executeTakeFirst())?.invitation_id;
  if (clbInv) await partners.respondToInvitation(ctx, who(clbMember), clbInv, { answer: "accept" });
  for (const p of [coordinator, io, clbMember]) await meetings.acknowledgeConfidentiality(ctx, who(p), held);
  await meetings.saveCaseMinutes(ctx, who(coordinator), held, a.id, {
    decisions: "CLB start begeleiding op school; school wordt betrokken via het CLB.",
    nextReviewOn: addDays(today, 20),
    actions: [
      { description: "Gesprek met leerling en ouders", ownerOrganisationId: clb, dueOn: addDays(today, -5) },
      { description: "Terugkoppeling aan de coördinator", ownerOrganisationId: town, dueOn: addDays(today, 15) },
    ],
  });
  await meetings.recordMeetingAttendance(ctx, who(coordinator), held, [coordinator.userId, io.userId, clbMember.userId]);
  await cases.transitionCase(ctx, who(coordinator), a.id, "start_follow_up");
  const form = await cases.draftFeedback(ctx, who(io), a.id, held, "Opvolging via het CLB is gestart. Geen verdere actie van de politie gevraagd.");
  await cases.attestFeedback(ctx, who(io), form);
  await cases.voteFeedback(ctx, who(io), form, "approve");

  // A consultation next week with two cases, CLB invited for one, CAW for the other.
  await meetings.scheduleMeeting(ctx, who(coordinator), {
    livcId: gent.id,
    heldOn: addDays(today, 7),
    startsAt: "09:30",
    place: null,
    videoUrl: "https://video.demo.schakel.test/livc-gent",
    items: [
      { caseId: a.id, organisationIds: [clb] },
      { caseId: b.id, organisationIds: [caw] },
    ],
  });

  // Closed a while ago: the 6-month post-closure review is due on the coordinator's list.
  await cases.transitionCase(ctx, who(chair), old.id, "close", { reason: "referred_to_regular_care", today: addDays(today, -190) });
  return [clbMember.account, cawMember.account];
}
