import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import { markSessionsForRotation } from "../../platform/auth/session";
import { type AppContext, bound } from "../../platform/context";
import { inTransaction } from "../../platform/db";
import type { DB } from "../../platform/db/schema";
import { addDays, isIsoDate, newId, nowIso, todayInBrussels } from "../../platform/db/values";
import { LIVC_ROLES, type LivcRole } from "../../platform/policy/actor";
import { livcById } from "../registry/service";
import { type MembershipApproval, PLATFORM_ROLES, type MembershipTable, type PlatformRole } from "./migrations";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * Who holds which role, and the rules every change obeys (decision 0041). The separation of duties
 * (decision 0015: an administrator never sees case content) is enforced HERE only: identity's
 * grantMembership and createAccount call assertMayGrant, and the platform-role change below checks
 * the other direction, so the account page, the LIVC form's officer links, partner invitations and
 * account creation all meet the same refusal.
 */
export type RoleRuleCode =
  | "admin_holds_livc_role"
  | "livc_role_holds_admin"
  | "self_grant"
  | "self_platform_roles"
  | "last_admin"
  | "duplicate"
  | "organisation_required"
  | "unknown_organisation"
  | "unknown_livc"
  | "bad_date"
  | "to_before_from"
  | "end_too_early"
  | "end_after_end"
  | "already_ended"
  | "unknown_membership"
  | "unknown_account"
  | "not_approved"
  | "already_requested"
  | "platform_held";

/** A role change refused for a reason the administrator can see; `field` is the form field to mark. */
export class RoleRuleError extends Error {
  constructor(
    readonly code: RoleRuleCode,
    readonly field?: string,
  ) {
    super(code);
  }
}

/** Where a role stands: pending, refused and withdrawn (decision 0049) never count; the others by their period. */
export type MembershipState = "current" | "ended" | "future" | "pending" | "refused" | "withdrawn";

export function membershipState(m: Pick<MembershipTable, "valid_from" | "valid_to"> & { approval?: MembershipApproval }, today = todayInBrussels()): MembershipState {
  if (m.approval && m.approval !== "approved") return m.approval;
  if (m.valid_to !== null && m.valid_to < today) return "ended";
  return m.valid_from > today ? "future" : "current";
}

/** Rows that are or may become a role: approved, or pending a second person's decision (decision 0049). */
export const LIVE_APPROVALS: MembershipApproval[] = ["approved", "pending"];

/** Memberships that still count now or later (not ended before today), pending requests included. */
export const openMemberships = (db: Kysely<DB>, userId: string, today = todayInBrussels()) =>
  db
    .selectFrom("membership")
    .select("id")
    .where("user_id", "=", userId)
    .where("approval", "in", LIVE_APPROVALS)
    .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">=", today)]))
    .execute();

/**
 * The separation of duties for every LIVC role grant: nobody grants a role to themselves, and an
 * account holding the admin platform role never holds an LIVC role. grantedBy is the person who
 * decides the grant (an administrator, the inviting chair or coordinator); absent for demo data,
 * tests and fixtures.
 */
export async function assertMayGrant(db: Kysely<DB>, g: { userId: string; grantedBy?: string | null }): Promise<void> {
  if (g.grantedBy && g.grantedBy === g.userId) throw new RoleRuleError("self_grant", "user");
  if ((await store.platformRolesOf(db, g.userId)).includes("admin")) throw new RoleRuleError("admin_holds_livc_role", "user");
  // A pending request for the admin role counts too (decision 0049: pending rows count for the rules).
  if ((await pendingPlatformRolesOf(db, g.userId)).some((r) => r.role === "admin")) throw new RoleRuleError("admin_holds_livc_role", "user");
}

/**
 * Platform roles that need a second administrator (decision 0049, amended): admin (everything but case
 * content) and dpo (subject-access exports: anyone's personal data). regional_analyst reads aggregates
 * only (counts 1-4 shown as "<5") and is given at once.
 */
export const FOUR_EYES_PLATFORM_ROLES: readonly PlatformRole[] = ["admin", "dpo"];

/** Pending platform-role requests for this account (id, role, who asked), oldest first. */
export function pendingPlatformRolesOf(db: Kysely<DB>, userId: string) {
  return db
    .selectFrom("platform_role_request as q")
    .leftJoin("app_user as r", "r.id", "q.requested_by")
    .select(["q.id", "q.role", "q.requested_by", "r.display_name as requester"])
    .where("q.user_id", "=", userId)
    .where("q.approval", "=", "pending")
    .orderBy("q.requested_at")
    .orderBy("q.id")
    .execute();
}

/**
 * Asks for the admin or dpo platform role for someone else: a PENDING platform_role_request row that
 * gives nothing until another administrator approves it (platform-approvals.ts), with the audit entry
 * account.platform_role.request, on ctx's database (pass the caller's transaction). Refused: own
 * account, a role held or already asked for, admin for an account with an LIVC role (pending ones too).
 */
export async function requestPlatformRole(ctx: AppContext, who: AuditWho, userId: string, role: PlatformRole): Promise<string> {
  const requestedBy = who.actor?.userId;
  if (!requestedBy) throw new RoleRuleError("unknown_account");
  if (requestedBy === userId) throw new RoleRuleError("self_platform_roles", "roles");
  if (!FOUR_EYES_PLATFORM_ROLES.includes(role)) throw new RoleRuleError("unknown_account", "roles");
  const db = ctx.database.db;
  if ((await store.platformRolesOf(db, userId)).includes(role)) throw new RoleRuleError("platform_held", "roles");
  if ((await pendingPlatformRolesOf(db, userId)).some((r) => r.role === role)) throw new RoleRuleError("already_requested", "roles");
  if (role === "admin" && (await openMemberships(db, userId)).length > 0) throw new RoleRuleError("livc_role_holds_admin", "roles");
  const id = newId();
  await db.insertInto("platform_role_request").values({ id, user_id: userId, role, approval: "pending", requested_by: requestedBy, requested_at: nowIso() }).execute();
  await audit.recordFor(ctx, who, { action: "account.platform_role.request", resourceType: "platform_role_request", resourceId: id, outcome: "success" }, { db });
  return id;
}

/** Another approved or pending membership of the same person, LIVC and role whose period overlaps [from, to] (to null: open). */
export async function overlapping(db: Kysely<DB>, m: { userId: string; livcId: string; role: LivcRole; validFrom: string; validTo?: string | null; exceptId?: string }) {
  return db
    .selectFrom("membership")
    .select(["id", "valid_from", "valid_to"])
    .where("user_id", "=", m.userId)
    .where("approval", "in", LIVE_APPROVALS)
    .$if(Boolean(m.exceptId), (q) => q.where("id", "!=", m.exceptId!))
    .where("livc_id", "=", m.livcId)
    .where("role", "=", m.role)
    .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">=", m.validFrom)]))
    .$if(Boolean(m.validTo), (q) => q.where("valid_from", "<=", m.validTo!))
    .executeTakeFirst();
}

/** Every rule of one grant; returns the row to insert. Used by identity's grantMembership and by grantRole. */
export async function checkGrant(
  db: Kysely<DB>,
  m: { userId: string; livcId: string; role: LivcRole; validFrom?: string; validTo?: string | null; grantedBy?: string | null },
): Promise<{ validFrom: string; validTo: string | null }> {
  const validFrom = m.validFrom ?? todayInBrussels();
  const validTo = m.validTo ?? null;
  if (!isIsoDate(validFrom)) throw new RoleRuleError("bad_date", "valid_from");
  if (validTo !== null && !isIsoDate(validTo)) throw new RoleRuleError("bad_date", "valid_to");
  if (validTo !== null && validTo < validFrom) throw new RoleRuleError("to_before_from", "valid_to");
  await assertMayGrant(db, m);
  if (await overlapping(db, extend(m, { validFrom, validTo }))) throw new RoleRuleError("duplicate", "role");
  return { validFrom, validTo };
}

export interface RoleGrant {
  userId: string;
  livcId: string;
  role: LivcRole;
  organisationId?: string | null;
  validFrom?: string;
  validTo?: string | null;
}


/**
 * An administrator asks for an LIVC role (account page, API): the LIVC and organisation must exist, a
 * partner member or reporter acts for an organisation, plus every rule of checkGrant. The row is
 * PENDING (decision 0049: it gives no access until another administrator or the LIVC's chair or
 * coordinator approves it, approvals.ts); row and audit entry account.membership.request commit together.
 */
export async function requestRole(ctx: AppContext, who: AuditWho, g: RoleGrant): Promise<string> {
  if (!(LIVC_ROLES as readonly string[]).includes(g.role)) throw new RoleRuleError("unknown_livc", "role");
  const requestedBy = who.actor?.userId;
  if (!requestedBy) throw new RoleRuleError("unknown_account");
  return inTransaction(ctx.database.db, async (trx) => {
    if (!(await store.findUser(trx, g.userId))) throw new RoleRuleError("unknown_account");
    if (!(await livcById(trx, g.livcId))) throw new RoleRuleError("unknown_livc", "livc_id");
    const organisationId = g.organisationId || null;
    if (organisationId === null && (g.role === "partner_member" || g.role === "reporter")) throw new RoleRuleError("organisation_required", "organisation_id");
    if (organisationId !== null && !(await store.findOrganisation(trx, organisationId))) throw new RoleRuleError("unknown_organisation", "organisation_id");
    const period = await checkGrant(trx, extend(g, { grantedBy: requestedBy }));
    const id = await store.insertMembership(trx, { userId: g.userId, livcId: g.livcId, role: g.role, organisationId, ...period }, { state: "pending", requestedBy });
    await audit.recordFor(ctx, who, { action: "account.membership.request", resourceType: "membership", resourceId: id, livcId: g.livcId, outcome: "success" }, { db: trx });
    return id;
  });
}

/**
 * Ends an LIVC role: lastDay is the last day it counts (yesterday: no longer today). It may lie in
 * the future, never before the day before valid_from, never after an end already set. The session
 * layer reads memberships per request, so the next request of the person already goes without it.
 */
export async function endRole(ctx: AppContext, who: AuditWho, userId: string, membershipId: string, lastDay: string): Promise<void> {
  if (!isIsoDate(lastDay)) throw new RoleRuleError("bad_date", "valid_to");
  await inTransaction(ctx.database.db, async (trx) => {
    const m = await trx.selectFrom("membership").selectAll().where("id", "=", membershipId).where("user_id", "=", userId).executeTakeFirst();
    if (!m) throw new RoleRuleError("unknown_membership");
    // A pending request is withdrawn (by its requester) or refused, never ended (decision 0049).
    if (m.approval !== "approved") throw new RoleRuleError("not_approved", "valid_to");
    if (membershipState(m) === "ended") throw new RoleRuleError("already_ended", "valid_to");
    if (lastDay < addDays(m.valid_from, -1)) throw new RoleRuleError("end_too_early", "valid_to");
    if (m.valid_to !== null && lastDay > m.valid_to) throw new RoleRuleError("end_after_end", "valid_to");
    await store.endMembership(trx, m.id, lastDay);
    await markSessionsForRotation(trx, userId);
    await audit.recordFor(ctx, who, { action: "account.membership.end", resourceType: "membership", resourceId: m.id, livcId: m.livc_id, outcome: "success" }, { db: trx });
  });
}

/**
 * Sets an account's platform roles. Taking a role away and giving regional_analyst take effect at
 * once; adding admin or dpo becomes a pending request (requestPlatformRole; a role already asked for
 * is left pending). Refused: an administrator changing their own roles (no self-promotion, no
 * lock-out), taking the admin role from the last active administrator, and the admin role for an
 * account holding a current, future or pending LIVC role. Returns the roles now held and asked for.
 */
/**
 * `operator`: the server's operator on the command line (`schakel account platform-roles`), the way to
 * give the first administrator and the second pair of eyes an installation with one administrator
 * lacks (decision 0049): roles are given at once, audited with the system as the actor. A role with a
 * request still pending is refused (already_requested: decide the request on /admin/approvals first).
 */
export async function changePlatformRoles(
  ctx: AppContext,
  who: AuditWho,
  userId: string,
  roles: PlatformRole[],
  opts: { operator?: boolean } = {},
): Promise<{ held: PlatformRole[]; requested: PlatformRole[] }> {
  const wanted = PLATFORM_ROLES.filter((r) => roles.includes(r));
  if (who.actor?.userId === userId) throw new RoleRuleError("self_platform_roles", "roles");
  return inTransaction(ctx.database.db, async (trx) => {
    const user = await store.findUser(trx, userId);
    if (!user) throw new RoleRuleError("unknown_account");
    const before = await store.platformRolesOf(trx, userId);
    if (wanted.includes("admin") && !before.includes("admin") && (await openMemberships(trx, userId)).length > 0) throw new RoleRuleError("livc_role_holds_admin", "roles");
    if (before.includes("admin") && !wanted.includes("admin") && user.status === "active" && (await activeAdmins(trx)) <= 1) throw new RoleRuleError("last_admin", "roles");
    const pending = (await pendingPlatformRolesOf(trx, userId)).map((r) => r.role);
    const fourEyes = (r: PlatformRole) => !opts.operator && FOUR_EYES_PLATFORM_ROLES.includes(r);
    if (opts.operator && wanted.some((r) => !before.includes(r) && pending.includes(r))) throw new RoleRuleError("already_requested", "roles");
    const toRequest = wanted.filter((r) => !before.includes(r) && fourEyes(r) && !pending.includes(r));
    const held = wanted.filter((r) => before.includes(r) || !fourEyes(r));
    const tctx: AppContext = bound(ctx, trx);
    for (const role of toRequest) await requestPlatformRole(tctx, who, userId, role);
    const changed = held.length !== before.length || held.some((r) => !before.includes(r));
    if (changed) {
      await store.setPlatformRoles(trx, userId, held);
      await markSessionsForRotation(trx, userId);
    }
    if (changed || toRequest.length === 0) await audit.recordFor(ctx, who, { action: "account.platform_roles.change", resourceType: "account", resourceId: userId, outcome: "success" }, { db: trx });
    return { held, requested: toRequest };
  });
}

async function activeAdmins(db: Kysely<DB>): Promise<number> {
  const rows = await db
    .selectFrom("platform_role")
    .innerJoin("app_user", "app_user.id", "platform_role.user_id")
    .select("app_user.id")
    .where("platform_role.role", "=", "admin")
    .where("app_user.status", "=", "active")
    .execute();
  return rows.length;
}

/** An account that breaks the separation of duties today (data from before decision 0041): admin and an open LIVC role. */
export async function separationConflict(db: Kysely<DB>, userId: string): Promise<boolean> {
  return (await store.platformRolesOf(db, userId)).includes("admin") && (await openMemberships(db, userId)).length > 0;
}
