import { expect, it } from "vitest";
import { describeEachDialect } from "../../../test/support/db";
import { makeActor, makeLivc, makeOrganisation } from "../cases/testing";
import { membersOfLivc } from "../identity/service";
import { invitationById, PartnerRuleError, respondToInvitation, seatsOfLivc, sendInvitation } from "./service";

/**
 * Accepting a structural invitation gives the seat AND the contact's partner-member role in ONE
 * transaction, the role with its own audit entry (decision 0049: a grant that needs no second approval,
 * the chair invited and the organisation accepted). Identity's refusal of the role rolls the whole
 * acceptance back.
 */
describeEachDialect("partner invitation acceptance grants the role in its transaction", (ctx) => {
  const db = () => ctx().database.db;
  const entries = (action: string) => db().selectFrom("audit_entry").select(["actor_id", "resource_type", "resource_id", "livc_id", "outcome"]).where("action", "=", action);
  const setUp = async () => {
    const livcId = await makeLivc(ctx());
    const chair = await makeActor(ctx(), [{ livcId, role: "chair" }]);
    const org = await makeOrganisation(ctx(), "CAW Aanvaard", "caw");
    const inv = await sendInvitation(ctx(), { actor: chair }, { livcId, organisationId: org, kind: "structural" });
    return { livcId, chair, org, inv };
  };
  const code = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e: unknown) => (e instanceof PartnerRuleError ? e.code : e),
    );

  it("the contact who accepts holds the partner-member role at once, approved, with its own success entry", async () => {
    const { livcId, org, inv } = await setUp();
    const contact = await makeActor(ctx(), []);
    expect(await respondToInvitation(ctx(), { actor: contact }, inv, { answer: "accept" })).toBe("accepted");
    const members = (await membersOfLivc(ctx(), livcId)).filter((m) => m.user_id === contact.userId);
    expect(members.map((m) => [m.role, m.organisation_id])).toEqual([["partner_member", org]]);
    const row = await db().selectFrom("membership").select(["id", "approval", "requested_by"]).where("user_id", "=", contact.userId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ approval: "approved", requested_by: null });
    expect(await entries("account.membership.grant").where("resource_id", "=", row.id).execute()).toEqual([{ actor_id: contact.userId, resource_type: "membership", resource_id: row.id, livc_id: livcId, outcome: "success" }]);
  });

  it("a refused role (an administrator answering; the inviter answering their own invitation) rolls the acceptance back: no seat, no role, still pending; audited", async () => {
    for (const who of ["admin", "inviter"] as const) {
      const { livcId, chair, inv } = await setUp();
      const responder = who === "admin" ? await makeActor(ctx(), [], { isAdmin: true }) : chair;
      expect(await code(respondToInvitation(ctx(), { actor: responder }, inv, { answer: "accept" }))).toBe("role_refused");
      expect((await invitationById(ctx(), inv))?.status).toBe("pending");
      expect(await seatsOfLivc(ctx(), livcId)).toEqual([]);
      expect(await db().selectFrom("membership").select("id").where("livc_id", "=", livcId).where("role", "=", "partner_member").execute()).toEqual([]);
      expect(await entries("partners.invitation.accept").where("resource_id", "=", inv).execute()).toEqual([]);
      expect((await entries("partners.member.role_refused").where("resource_id", "=", inv).execute()).map((e) => [e.actor_id, e.outcome])).toEqual([[responder.userId, "denied"]]);
    }
  });
});
