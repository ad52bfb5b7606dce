import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import { markSessionsForRotation } from "../../platform/auth/session";
import type { AppContext } from "../../platform/context";
import { inTransaction } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { nowIso, todayInBrussels } from "../../platform/db/values";
import { type Actor, hasRoleIn, type LivcRole } from "../../platform/policy/actor";
import { OVERSIGHT_ROLES } from "./livc-roles";
import { assertMayGrant, checkGrant, overlapping, RoleRuleError } from "./roles";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * Four eyes on every LIVC role an administrator gives (decision 0049). The administrator's grant is a
 * PENDING membership row: the session query, membersOfLivc and the LIVC's role list read approved rows
 * only, so it gives no access. Another person decides: a second administrator, or a current chair or
 * coordinator of THAT LIVC (the oversight roles of decision 0047); never the requester, never the
 * grantee. Refusing needs a reason, which is kept. The requester may withdraw. Each decision commits
 * with its audit entry (account.membership.approve / .refuse / .withdraw) in one transaction.
 */
export type ApprovalCode = "not_pending" | "own_request" | "own_grant" | "not_overseer" | "reason_required" | "not_requester";

export class ApprovalError extends Error {
  constructor(readonly code: ApprovalCode) {
    super(code);
  }
}

export const REFUSAL_REASON_MAX = 500;

/** A pending request as the approval lists show it: names of the grantee and the requester, no e-mail addresses. */
export interface PendingRequest {
  id: string;
  userId: string;
  grantee: string;
  livcId: string;
  role: LivcRole;
  organisation: string | null;
  validFrom: string;
  validTo: string | null;
  requestedBy: string;
  requester: string;
  requestedAt: string;
}

/** Pending requests, oldest first; livcIds limits them to those LIVCs (a chair's or coordinator's list). */
export async function pendingRequests(db: Kysely<DB>, livcIds?: string[]): Promise<PendingRequest[]> {
  if (livcIds && livcIds.length === 0) return [];
  const rows = await db
    .selectFrom("membership as m")
    .innerJoin("app_user as g", "g.id", "m.user_id")
    .leftJoin("app_user as r", "r.id", "m.requested_by")
    .leftJoin("organisation as o", "o.id", "m.organisation_id")
    .select(["m.id", "m.user_id", "g.display_name as grantee", "m.livc_id", "m.role", "o.name as organisation", "m.valid_from", "m.valid_to", "m.requested_by", "r.display_name as requester", "m.requested_at"])
    .where("m.approval", "=", "pending")
    .$if(Boolean(livcIds), (q) => q.where("m.livc_id", "in", livcIds!))
    .orderBy("m.requested_at")
    .orderBy("m.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    grantee: r.grantee,
    livcId: r.livc_id ?? "",
    role: r.role,
    organisation: r.organisation,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    requestedBy: r.requested_by ?? "",
    requester: r.requester ?? "",
    requestedAt: r.requested_at ?? "",
  }));
}

/** Why this actor may not decide this request, or null: never the requester or the grantee; an administrator or the LIVC's chair or coordinator. */
export function decisionRefusal(actor: Actor | null, r: { userId: string; requestedBy: string | null; livcId: string | null }): ApprovalCode | null {
  if (!actor) return "not_overseer";
  if (actor.userId === r.requestedBy) return "own_request";
  if (actor.userId === r.userId) return "own_grant";
  if (actor.isAdmin) return null;
  return r.livcId && OVERSIGHT_ROLES.some((role) => hasRoleIn(actor, r.livcId!, role)) ? null : "not_overseer";
}


const pendingRow = (db: Kysely<DB>, id: string) => db.selectFrom("membership").selectAll().where("id", "=", id).executeTakeFirst();

/** A refusal of a decision is audited (outcome denied) outside the rolled-back transaction. */
async function denied(ctx: AppContext, who: AuditWho, action: string, id: string, livcId: string | null) {
  await audit.recordFor(ctx, who, { action, resourceType: "membership", resourceId: id, livcId, outcome: "denied" });
}

/**
 * Approves or refuses a pending request. Approval re-checks the rules of the grant as they stand now
 * (the grantee may have become an administrator, or got the same role since): a RoleRuleError then
 * leaves the request pending. The grantee's sessions rotate; their next request carries the role.
 */
export async function decideRequest(ctx: AppContext, who: AuditWho, id: string, decision: { approve: true } | { approve: false; reason: string }): Promise<{ livcId: string | null; userId: string }> {
  const action = decision.approve ? "account.membership.approve" : "account.membership.refuse";
  const reason = decision.approve ? "" : decision.reason.trim().slice(0, REFUSAL_REASON_MAX);
  const found = await pendingRow(ctx.database.db, id);
  if (found?.approval !== "pending") throw new ApprovalError("not_pending");
  const refusal = decisionRefusal(who.actor ?? null, { userId: found.user_id, requestedBy: found.requested_by, livcId: found.livc_id });
  if (refusal) {
    await denied(ctx, who, action, id, found.livc_id);
    throw new ApprovalError(refusal);
  }
  if (!decision.approve && reason === "") throw new ApprovalError("reason_required");
  await inTransaction(ctx.database.db, async (trx) => {
    if (decision.approve) {
      await assertMayGrant(trx, { userId: found.user_id, grantedBy: found.requested_by });
      if (found.livc_id && (await overlapping(trx, { userId: found.user_id, livcId: found.livc_id, role: found.role, validFrom: found.valid_from, validTo: found.valid_to, exceptId: id }))) {
        throw new RoleRuleError("duplicate", "role");
      }
    }
    const decidedBy = who.actor!.userId;
    const moved = await trx
      .updateTable("membership")
      .set({ approval: decision.approve ? "approved" : "refused", decided_by: decidedBy, decided_at: nowIso(), refusal_reason: decision.approve ? null : reason })
      .where("id", "=", id)
      .where("approval", "=", "pending")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new ApprovalError("not_pending");
    if (decision.approve) await markSessionsForRotation(trx, found.user_id);
    await audit.recordFor(ctx, who, { action, resourceType: "membership", resourceId: id, livcId: found.livc_id, outcome: "success" }, { db: trx });
  });
  return { livcId: found.livc_id, userId: found.user_id };
}

/** The requester takes back a pending request; nobody else can (others refuse it, with a reason). */
export async function withdrawRequest(ctx: AppContext, who: AuditWho, id: string): Promise<void> {
  const found = await pendingRow(ctx.database.db, id);
  if (found?.approval !== "pending") throw new ApprovalError("not_pending");
  if (!who.actor || who.actor.userId !== found.requested_by) {
    await denied(ctx, who, "account.membership.withdraw", id, found.livc_id);
    throw new ApprovalError("not_requester");
  }
  await inTransaction(ctx.database.db, async (trx) => {
    const moved = await trx
      .updateTable("membership")
      .set({ approval: "withdrawn", decided_by: who.actor!.userId, decided_at: nowIso() })
      .where("id", "=", id)
      .where("approval", "=", "pending")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new ApprovalError("not_pending");
    await audit.recordFor(ctx, who, { action: "account.membership.withdraw", resourceType: "membership", resourceId: id, livcId: found.livc_id, outcome: "success" }, { db: trx });
  });
}

/**
 * An administrator's request for an LIVC role outside the account page (the LIVC form's officer
 * links): the rules of checkGrant with the administrator as grantor, a PENDING row, and the audit entry
 * account.membership.request, all on ctx's database (pass the caller's transaction).
 */
export async function requestMembership(
  ctx: AppContext,
  who: AuditWho,
  m: { userId: string; livcId: string; role: LivcRole; organisationId?: string | null; validFrom?: string; validTo?: string | null },
): Promise<string> {
  const requestedBy = who.actor?.userId;
  if (!requestedBy) throw new RoleRuleError("unknown_account");
  const db = ctx.database.db;
  const period = await checkGrant(db, extend(m, { validFrom: m.validFrom ?? todayInBrussels(), grantedBy: requestedBy }));
  const id = await store.insertMembership(db, { userId: m.userId, livcId: m.livcId, role: m.role, organisationId: m.organisationId ?? null, ...period }, { state: "pending", requestedBy });
  await audit.recordFor(ctx, who, { action: "account.membership.request", resourceType: "membership", resourceId: id, livcId: m.livcId, outcome: "success" }, { db });
  return id;
}
