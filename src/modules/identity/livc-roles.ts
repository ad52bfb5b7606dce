import type { Kysely } from "kysely";
import type { DB } from "../../platform/db/schema";
import { addDays, todayInBrussels } from "../../platform/db/values";
import type { LivcRole } from "../../platform/policy/actor";

/**
 * The LIVC's own oversight of who holds a role in it (decision 0047). The chair and coordinator see
 * every current and future role and those ended in the last 90 days, and they are told by mail when an
 * ADMINISTRATOR asks for a role in their LIVC (approval-notify.ts, decisions 0049 and 0056): the
 * platform administrator cannot hold an LIVC role (decision 0041), but could still create an account
 * and give it one; the cell now notices, and decides.
 */
export const OVERSIGHT_ROLES: readonly LivcRole[] = ["chair", "coordinator"];
const ENDED_SHOWN_DAYS = 90;

/** Who holds a role (approved: pending requests are listed apart, refused and withdrawn ones never). */
export function rolesInLivc(db: Kysely<DB>, livcId: string, today = todayInBrussels()) {
  return db
    .selectFrom("membership")
    .innerJoin("app_user", "app_user.id", "membership.user_id")
    .leftJoin("organisation", "organisation.id", "membership.organisation_id")
    .select(["membership.id", "membership.role", "membership.valid_from", "membership.valid_to", "app_user.display_name", "app_user.status", "organisation.name as organisation_name"])
    .where("membership.livc_id", "=", livcId)
    .where("membership.approval", "=", "approved")
    .where((eb) => eb.or([eb("membership.valid_to", "is", null), eb("membership.valid_to", ">=", addDays(today, -ENDED_SHOWN_DAYS))]))
    .orderBy("membership.role")
    .orderBy("app_user.display_name")
    .execute();
}
