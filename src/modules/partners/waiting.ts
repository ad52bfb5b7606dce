import type { AppContext } from "../../platform/context";
import { toCount } from "../../platform/db/values";

/**
 * The start page's count (decision 0059): invitations still waiting for an answer from an
 * organisation the person is a contact of: the rows of /invitations whose status is "pending"
 * (the same organisations as that page: invitationFilter's contact part). One query.
 */
export async function pendingInvitationCount(ctx: AppContext, userId: string): Promise<number> {
  const row = await ctx.database.db
    .selectFrom("partner_invitation")
    .innerJoin("organisation_contact", "organisation_contact.organisation_id", "partner_invitation.organisation_id")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("organisation_contact.user_id", "=", userId)
    .where("partner_invitation.status", "=", "pending")
    .executeTakeFirst();
  return toCount(row?.n);
}
