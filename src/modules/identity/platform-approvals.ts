import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import { markSessionsForRotation } from "../../platform/auth/session";
import type { AppContext } from "../../platform/context";
import { inTransaction } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { nowIso } from "../../platform/db/values";
import type { Actor } from "../../platform/policy/actor";
import { type ApprovalCode, ApprovalError, REFUSAL_REASON_MAX } from "./approvals";
import type { PlatformRole } from "./migrations";
import { openMemberships, RoleRuleError } from "./roles";
import * as store from "./store";

/**
 * Four eyes on the admin and dpo platform roles (decision 0049, amended). An administrator's request is
 * a platform_role_request row (roles.ts requestPlatformRole); only its approval by ANOTHER administrator
 * (never the requester, never the grantee) writes platform_role, so the session statement and every
 * other reader of platform_role see approved roles only without a change. Refusal needs a reason; only
 * the requester withdraws. Each decision commits with its audit entry (account.platform_role.approve /
 * .refuse / .withdraw); a refused attempt is audited with outcome denied.
 */
export interface PendingPlatformRequest {
  id: string;
  userId: string;
  grantee: string;
  role: PlatformRole;
  requestedBy: string;
  requester: string;
  requestedAt: string;
}

/** Every pending platform-role request, oldest first, with the names of grantee and requester (no addresses). */
export async function pendingPlatformRequests(db: Kysely<DB>): Promise<PendingPlatformRequest[]> {
  const rows = await db
    .selectFrom("platform_role_request as q")
    .innerJoin("app_user as g", "g.id", "q.user_id")
    .leftJoin("app_user as r", "r.id", "q.requested_by")
    .select(["q.id", "q.user_id", "g.display_name as grantee", "q.role", "q.requested_by", "r.display_name as requester", "q.requested_at"])
    .where("q.approval", "=", "pending")
    .orderBy("q.requested_at")
    .orderBy("q.id")
    .execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, grantee: r.grantee, role: r.role, requestedBy: r.requested_by, requester: r.requester ?? "", requestedAt: r.requested_at }));
}

/** Why this actor may not decide a platform-role request, or null: an administrator who neither asked for it nor gets it. */
export function platformDecisionRefusal(actor: Actor | null, r: { userId: string; requestedBy: string }): ApprovalCode | null {
  if (!actor) return "not_overseer";
  if (actor.userId === r.requestedBy) return "own_request";
  if (actor.userId === r.userId) return "own_grant";
  return actor.isAdmin ? null : "not_overseer";
}


const requestRow = (db: Kysely<DB>, id: string) => db.selectFrom("platform_role_request").selectAll().where("id", "=", id).executeTakeFirst();

const denied = (ctx: AppContext, who: AuditWho, action: string, id: string) =>
  audit.recordFor(ctx, who, { action, resourceType: "platform_role_request", resourceId: id, outcome: "denied" });

/**
 * Approves or refuses a pending platform-role request. Approval re-checks the rules as they stand now
 * (decision 0041: admin never for an account with a current, future or pending LIVC role; a role not
 * held twice); a RoleRuleError leaves the request pending. The grantee's sessions rotate.
 */
export async function decidePlatformRequest(ctx: AppContext, who: AuditWho, id: string, decision: { approve: true } | { approve: false; reason: string }): Promise<{ userId: string }> {
  const action = decision.approve ? "account.platform_role.approve" : "account.platform_role.refuse";
  const reason = decision.approve ? "" : decision.reason.trim().slice(0, REFUSAL_REASON_MAX);
  const found = await requestRow(ctx.database.db, id);
  if (found?.approval !== "pending") throw new ApprovalError("not_pending");
  const refusal = platformDecisionRefusal(who.actor ?? null, { userId: found.user_id, requestedBy: found.requested_by });
  if (refusal) {
    await denied(ctx, who, action, id);
    throw new ApprovalError(refusal);
  }
  if (!decision.approve && reason === "") throw new ApprovalError("reason_required");
  await inTransaction(ctx.database.db, async (trx) => {
    if (decision.approve) {
      const held = await store.platformRolesOf(trx, found.user_id);
      if (held.includes(found.role)) throw new RoleRuleError("platform_held", "roles");
      if (found.role === "admin" && (await openMemberships(trx, found.user_id)).length > 0) throw new RoleRuleError("livc_role_holds_admin", "roles");
    }
    const moved = await trx
      .updateTable("platform_role_request")
      .set({ approval: decision.approve ? "approved" : "refused", decided_by: who.actor!.userId, decided_at: nowIso(), refusal_reason: decision.approve ? null : reason })
      .where("id", "=", id)
      .where("approval", "=", "pending")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new ApprovalError("not_pending");
    if (decision.approve) {
      await trx.insertInto("platform_role").values({ user_id: found.user_id, role: found.role, granted_at: nowIso() }).execute();
      await markSessionsForRotation(trx, found.user_id);
    }
    await audit.recordFor(ctx, who, { action, resourceType: "platform_role_request", resourceId: id, outcome: "success" }, { db: trx });
  });
  return { userId: found.user_id };
}

/** The requester takes back a pending platform-role request; nobody else can (others refuse it, with a reason). */
export async function withdrawPlatformRequest(ctx: AppContext, who: AuditWho, id: string): Promise<void> {
  const found = await requestRow(ctx.database.db, id);
  if (found?.approval !== "pending") throw new ApprovalError("not_pending");
  if (!who.actor || who.actor.userId !== found.requested_by) {
    await denied(ctx, who, "account.platform_role.withdraw", id);
    throw new ApprovalError("not_requester");
  }
  await inTransaction(ctx.database.db, async (trx) => {
    const moved = await trx
      .updateTable("platform_role_request")
      .set({ approval: "withdrawn", decided_by: who.actor!.userId, decided_at: nowIso() })
      .where("id", "=", id)
      .where("approval", "=", "pending")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new ApprovalError("not_pending");
    await audit.recordFor(ctx, who, { action: "account.platform_role.withdraw", resourceType: "platform_role_request", resourceId: id, outcome: "success" }, { db: trx });
  });
}
