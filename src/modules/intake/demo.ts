/**
 * Fictional reports for the demo LIVC Gent (the registry's demo seeder creates it as LIVC-44021,
 * with a chair and a coordinator): one in each state, an overdue one, a possible duplicate, a
 * "danger now", a minor, and one for a municipality without an LIVC (regional queue).
 * Every name below is invented.
 */
import type { DemoAccount } from "..";
import type { AppContext } from "../../platform/context";
import { addDays, bornYearsBefore, todayInBrussels } from "../../platform/db/values";
import type { Actor, LivcRole } from "../../platform/policy/actor";
import { ensureDemoUser, userIdByEmail } from "../identity/service";
import { livcByCode, registerTimeline } from "../registry/service";
import { emptyForm, type ReportForm } from "./schema";
import { extraDaysFor } from "./closing-days";
import { addContactPoint } from "./contacts";
import { decide, fileReport } from "./service";
import * as store from "./store";
import { addWorkingDays } from "./working-days";
import type { Transition } from "./workflow";

const actorOf = (userId: string, displayName: string, memberships: { livcId: string; role: LivcRole }[]): Actor => ({
  userId, displayName, sessionId: "demo-seed", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships,
});

const form = (f: Partial<ReportForm>): ReportForm =>
  Object.assign(
    emptyForm(),
    {
      identity_known: "known",
      since: "weeks",
      person_knows: "no",
      reporter_organisation: "CLB Gent-Centrum (demo)",
      reporter_contact: "09 000 00 01 (demo)",
    },
    f,
  );

export async function seedIntakeDemo(ctx: AppContext): Promise<DemoAccount[]> {
  const db = ctx.database.db;
  const gent = await livcByCode(db, "LIVC-44021");
  if (!gent) return [];
  const reporter = await ensureDemoUser(ctx, {
    email: "melder.clb@demo.schakel.test",
    displayName: "Sara Melder (demo)",
    role: "reporter (CLB), LIVC Gent",
    memberships: [{ livcId: gent.id, role: "reporter" }],
  });
  const io = await ensureDemoUser(ctx, {
    email: "io.gent@demo.schakel.test",
    displayName: "Marc Informatie (demo)",
    role: "information officer, LIVC Gent",
    memberships: [{ livcId: gent.id, role: "information_officer" }],
  });
  const regional = await ensureDemoUser(ctx, { email: "regio@demo.schakel.test", displayName: "Noor Regio (demo)", role: "regional contact point (intake)" });
  // Through contacts.ts like the page and the CLI: validated and audited, with the system as the actor.
  // A second seeding finds the designation already there ("duplicate"), which is fine.
  const contact = await addContactPoint(ctx, { actor: null, correlationId: "demo-seed" }, { email: "regio@demo.schakel.test", province: null });
  if (!contact.ok && !contact.errors.includes("duplicate")) throw new Error(`demo regional contact point refused: ${contact.errors.join()}`);
  const coordinatorId = await userIdByEmail(ctx, "coordinator.gent@demo.schakel.test");

  const who = (actor: Actor) => ({ actor, clientAddress: null, correlationId: "demo-seed" });
  const reporterActor = actorOf(reporter.userId, "Sara Melder (demo)", [{ livcId: gent.id, role: "reporter" }]);
  const screener = coordinatorId
    ? actorOf(coordinatorId, "Yusuf Coördinator (demo)", [{ livcId: gent.id, role: "coordinator" }])
    : actorOf(io.userId, "Marc Informatie (demo)", [{ livcId: gent.id, role: "information_officer" }]);
  const regionalActor = actorOf(regional.userId, "Noor Regio (demo)", []);

  const file = async (f: ReportForm) => {
    const r = await fileReport(ctx, who(reporterActor), f, "submit");
    if (r.kind !== "submitted") throw new Error(`demo report refused: ${JSON.stringify(r)}`);
    return (await store.reportByReference(db, r.reference))!;
  };
  const step = async (actor: Actor, id: string, transition: Transition, reason = "", referralService = "") => {
    const r = await decide(ctx, who(actor), id, { transition, reason, referralService });
    if (r.kind !== "ok") throw new Error(`demo decision refused: ${r.kind}`);
  };
  const gentDays = await extraDaysFor(ctx, gent.id); // installation-wide plus LIVC Gent's own closing days
  const today = todayInBrussels(); // one day for the whole seed, also across a midnight
  const backdate = async (id: string, days: number) => {
    const on = addDays(today, -days);
    await store.updateReport(db, id, { submitted_at: `${on}T09:00:00.000Z`, screening_due_on: addWorkingDays(on, ctx.config.SCHAKEL_SCREENING_WORKING_DAYS, gentDays) });
  };

  // Birth dates by age, so each person is as old as their story whenever the demo is seeded (Tibo, in class, a minor).
  const born = (years: number, monthDay: string) => bornYearsBefore(today, years, monthDay);
  const gentNis = "44021";
  const a = await file(form({ subject_name: "Tibo Vandevelde", subject_birth_date: born(16, "05-14"), municipality_nis: gentNis, signals: ["shares_extremist_material", "social_break"], observation: "Toonde op 12 november in de klas een video van een gewapende groep en zei dat hij die 'helden' vindt. Zit sinds oktober alleen op de speelplaats.", parent_knows: "no" }));
  await backdate(a.id, 20); // overdue: past the screening deadline
  const b = await file(form({ subject_name: "Tibo Van de Velde", subject_birth_date: born(16, "05-14"), municipality_nis: gentNis, signals: ["supports_violence"], observation: "Schreef in een groepschat van de voetbalclub dat 'geweld de enige taal is die ze verstaan'.", reporter_organisation: "Jeugdhuis De Brug (demo)", parent_knows: "unknown" }));
  await step(screener, b.id, "start_screening");
  const c = await file(form({ subject_name: "Ilias Demir", subject_birth_date: born(28, "09-02"), municipality_nis: gentNis, signals: ["travel_conflict_zone", "contact_recruiters"], observation: "Vertelde zijn begeleider bij het CAW dat hij binnen twee weken vertrekt naar een conflictgebied en dat 'iemand' zijn ticket regelt.", danger_now: true }));
  await step(screener, c.id, "take_up", "Vertrek aangekondigd; meerdere partners betrokken.");
  const d = await file(form({ subject_name: "Lena Maes", subject_birth_date: born(20, "01-20"), municipality_nis: gentNis, signals: ["stops_activities", "social_break"], observation: "Stopte plots met haar opleiding en met de sportclub; zegt dat haar vroegere vrienden 'onrein' zijn." }));
  await step(screener, d.id, "refer", "Past bij reguliere begeleiding.", "family_support");
  const e = await file(form({ identity_known: "unknown", subject_description: "Jongeman, ongeveer 20 jaar, bij het station", municipality_nis: gentNis, signals: ["other"], observation: "Deelde flyers uit met een oproep tot een betoging; geen geweld gezien." }));
  await step(screener, e.id, "no_action", "Geen signalen van gewelddadige radicalisering.");

  // A municipality that no LIVC covers today: its report goes to the regional queue.
  const { timeline } = await registerTimeline(db);
  const uncovered = timeline.coverageOn(today).municipalities.find((m) => m.state === "none");
  if (uncovered) {
    await file(form({ subject_name: "Robbe Peeters", subject_birth_date: born(25, "03-03"), municipality_nis: uncovered.nis, signals: ["threatens_people"], observation: "Dreigde in de bibliotheek een medewerker 'te laten boeten' na een discussie over een boek." }));
    const f = await file(form({ subject_name: "Jana Smets", subject_birth_date: born(23, "07-07"), municipality_nis: uncovered.nis, signals: ["violent_online_groups"], observation: "Liet een begeleider berichten zien uit een kanaal dat oproept tot aanslagen." }));
    await step(regionalActor, f.id, "start_screening");
  }
  return [reporter.account, io.account, regional.account];
}
