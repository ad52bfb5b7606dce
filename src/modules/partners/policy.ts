/**
 * Who may do what with partners, seats, invitations and attendance. The same grants filter lists
 * (invitationFilter), so a list never shows what a detail page forbids: a partner of LIVC A sees
 * the invitations addressed to its own organisations, never LIVC B's invitations to others.
 */
import type { AppContext } from "../../platform/context";
import { definePolicy } from "../../platform/policy/grants";
import type { Actor } from "../../platform/policy/actor";
import * as store from "./store";

export const livcPartnersPolicy = definePolicy({
  livcOf: (r: { livcId: string }) => r.livcId,
  grants: {
    /** Invite, withdraw, seats, attendance: chair and coordinator of that LIVC. */
    manage: ["chair", "coordinator"],
    /** The members list with names of contacts: anyone with a role inside that LIVC (not reporters). */
    view: ["chair", "coordinator", "information_officer", "partner_member"],
  },
});

/** The actor plus the organisations they answer for (organisation_contact). */
export interface PartnerActor { actor: Actor; contactOrganisationIds: string[] }

export async function partnerActor(ctx: AppContext, actor: Actor): Promise<PartnerActor> {
  return { actor, contactOrganisationIds: await store.contactOrganisationIds(ctx.database.db, actor.userId) };
}

type InvitationRef = { livc_id: string; organisation_id: string };

export const invitationPolicy = {
  read: (pa: PartnerActor, inv: InvitationRef) =>
    livcPartnersPolicy.can(pa.actor, "manage", { livcId: inv.livc_id }) || pa.contactOrganisationIds.includes(inv.organisation_id),
  respond: (pa: PartnerActor, inv: InvitationRef) => pa.contactOrganisationIds.includes(inv.organisation_id),
  withdraw: (pa: PartnerActor, inv: InvitationRef) => livcPartnersPolicy.can(pa.actor, "manage", { livcId: inv.livc_id }),
};

/** The list filter from the same grants as invitationPolicy.read. */
export const invitationFilter = (pa: PartnerActor) => ({
  livcIds: livcPartnersPolicy.livcIds(pa.actor, "manage"),
  organisationIds: pa.contactOrganisationIds,
});
