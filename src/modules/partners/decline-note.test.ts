import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { newId, nowIso } from "../../platform/db/values";
import { lifecycleMigrations } from "../intake/lifecycle-migrations";
import { invitationById, PartnerRuleError, respondToInvitation, sendInvitation } from "./service";
import { makeLivc, makeOrg, system } from "./testkit";

const rule = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof PartnerRuleError) return `${e.code}:${e.field}`;
    throw e;
  }
  return "no error";
};

/**
 * Decision 0053: a case consultation's invitation is declined with a reason code only (a note there
 * is about the case); a structural invitation keeps its note. Notes stored before are removed, as are
 * consultations' cancel notes (a cancellation takes a reason code only; meetings/replan.test.ts).
 */
describeEachDialect("decline of a case consultation: reason code only", (ctx) => {
  it("refuses a note on a consultation invitation, takes 'other' without one, and keeps notes on structural invitations", async () => {
    const livc = await makeLivc(ctx(), "LIVC Notes", ["11002"]);
    const clb = await makeOrg(ctx(), "CLB Notes", "clb");
    const caw = await makeOrg(ctx(), "CAW Notes", "caw");
    const consultation = await sendInvitation(ctx(), system, { livcId: livc, organisationId: clb, kind: "consultation", caseRef: "C-2025-101", today: "2025-03-01", termDays: 14 });
    expect(await rule(respondToInvitation(ctx(), system, consultation, { answer: "decline", reason: "not_relevant", note: "We volgen deze leerling al", today: "2025-03-02" }))).toBe("note_not_allowed:reason");
    expect((await invitationById(ctx(), consultation))!.status).toBe("pending");
    expect(await respondToInvitation(ctx(), system, consultation, { answer: "decline", reason: "other", note: "  ", today: "2025-03-02" })).toBe("declined");
    expect(await invitationById(ctx(), consultation)).toMatchObject({ status: "declined", decline_reason: "other", decline_note: null });

    const structural = await sendInvitation(ctx(), system, { livcId: livc, organisationId: caw, kind: "structural", today: "2025-03-01", termDays: 14 });
    expect(await rule(respondToInvitation(ctx(), system, structural, { answer: "decline", reason: "other", today: "2025-03-02" }))).toBe("note_required:note");
    expect(await respondToInvitation(ctx(), system, structural, { answer: "decline", reason: "other", note: "Geen personeel dit jaar", today: "2025-03-02" })).toBe("declined");
    expect((await invitationById(ctx(), structural))!.decline_note).toBe("Geen personeel dit jaar");

    // A note stored on a consultation invitation before the rule: the migration removes it, the reason stays.
    await ctx().database.db.updateTable("partner_invitation").set({ decline_note: "Oude casusnotitie" }).where("id", "=", consultation).execute();
    await lifecycleMigrations[0].up(ctx().database.db, ctx().database.dialect);
    expect(await invitationById(ctx(), consultation)).toMatchObject({ decline_reason: "other", decline_note: null });
    expect((await invitationById(ctx(), structural))!.decline_note).toBe("Geen personeel dit jaar");
  });

  it("a consultation's cancel note stored before the reason-code-only rule is removed by the migration; the reason stays", async () => {
    const livc = await makeLivc(ctx(), "LIVC Cancel", ["44021"]);
    const id = newId();
    await sql`insert into consultation (id, livc_id, held_on, kind, status, created_at, cancel_reason, cancel_note) values (${id}, ${livc}, '2025-04-01', 'case_consultation', 'cancelled', ${nowIso()}, 'other', 'Casus X is verhuisd')`.execute(ctx().database.db);
    await lifecycleMigrations[1].up(ctx().database.db, ctx().database.dialect);
    const row = await sql<{ cancel_reason: string; cancel_note: string | null }>`select cancel_reason, cancel_note from consultation where id = ${id}`.execute(ctx().database.db);
    expect(row.rows).toEqual([{ cancel_reason: "other", cancel_note: null }]);
  });
});
