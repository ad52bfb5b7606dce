import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { whoOf } from "../../platform/audit";
import { type AppContext, bound } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import type { LivcRole } from "../../platform/policy/actor";
import { activeEmailOf, grantRefusal, membersOfLivc, RoleRuleError, type RoleRuleCode, requestMembership, userIdByEmail } from "../identity/service";

/**
 * The three LIVC officers (issue 4) and their optional link to an account. Linking asks for the
 * matching LIVC role (chair, coordinator, information_officer) through identity's service: a PENDING
 * request (decision 0049: an administrator's grant waits for a second person), audited by identity as
 * "account.membership.request". Unlinking or relinking never revokes a role: an
 * administrator ends memberships in account administration (/admin/accounts/:id, decision 0041).
 * Separation of duties (decision 0041): an account holding the admin role, or the acting
 * administrator's own account, cannot be linked; the form shows identity's refusal on the field.
 */
export const OFFICERS = [
  { key: "chair", role: "chair" },
  { key: "coordinator", role: "coordinator" },
  { key: "info_officer", role: "information_officer" },
] as const satisfies readonly { key: string; role: LivcRole }[];

export interface OfficerIds {
  chair_user_id: string | null;
  coordinator_user_id: string | null;
  info_officer_user_id: string | null;
}

type EmailValues = { chair_email: string; coordinator_email: string; info_officer_email: string };

/** A field the officer links cannot take: no active account, or identity refuses the role (decision 0041). */
export interface OfficerRefusal {
  field: string;
  code: "unknown" | RoleRuleCode;
}

/**
 * Matches each filled e-mail to an ACTIVE account that may receive an LIVC role from the acting
 * administrator (grantedBy); the fields that fail come back as `refused` with the reason.
 */
export async function resolveOfficerEmails(ctx: AppContext, values: EmailValues, grantedBy?: string | null): Promise<{ ids: OfficerIds } | { refused: OfficerRefusal[] }> {
  const ids: OfficerIds = { chair_user_id: null, coordinator_user_id: null, info_officer_user_id: null };
  const refused: OfficerRefusal[] = [];
  for (const { key } of OFFICERS) {
    const email = values[`${key}_email`];
    if (!email) continue;
    const id = await userIdByEmail(ctx, email);
    if (!id || !(await activeEmailOf(ctx, id))) {
      refused.push({ field: `${key}_email`, code: "unknown" });
      continue;
    }
    const refusal = await grantRefusal(ctx, { userId: id, grantedBy });
    if (refusal) refused.push({ field: `${key}_email`, code: refusal.code });
    else ids[`${key}_user_id`] = id;
  }
  return refused.length ? { refused } : { ids };
}

/** The current linked e-mails, for the administrator's edit form only (never shown on the LIVC page). */
export async function officerEmails(ctx: AppContext, livc: OfficerIds): Promise<EmailValues> {
  const emailOf = async (id: string | null) => (id ? ((await activeEmailOf(ctx, id)) ?? "") : "");
  return {
    chair_email: await emailOf(livc.chair_user_id),
    coordinator_email: await emailOf(livc.coordinator_user_id),
    info_officer_email: await emailOf(livc.info_officer_user_id),
  };
}

/**
 * Asks for the LIVC role of their office for each linked officer unless they already hold it today
 * or it already awaits approval; each request audited in the caller's transaction (trx: the one that
 * saves the LIVC), so requests, entries and the LIVC change commit together or not at all.
 */
export async function grantOfficerRoles(ctx: AppContext, request: FastifyRequest, trx: Kysely<DB>, livcId: string, ids: OfficerIds, granted: { userId: string; role: LivcRole }[] = []): Promise<void> {
  const tctx: AppContext = bound(ctx, trx);
  const current = await membersOfLivc(tctx, livcId);
  for (const { key, role } of OFFICERS) {
    const userId = ids[`${key}_user_id`];
    if (!userId || current.some((m) => m.user_id === userId && m.role === role)) continue;
    try {
      await requestMembership(tctx, whoOf(request), { userId, livcId, role });
    } catch (e) {
      // Already holding the role from a later date, or already requested: that stands (any other refusal aborts the save).
      if (e instanceof RoleRuleError && e.code === "duplicate") continue;
      throw e;
    }
    granted.push({ userId, role });
  }
}
