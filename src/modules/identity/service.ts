import type { AppContext } from "../../platform/context";
import { hashPassword } from "../../platform/auth/password";
import { markSessionsForRotation } from "../../platform/auth/session";
import { newTotpSecret } from "../../platform/auth/totp";
import { keyringFor } from "../../platform/crypto/keyring";
import type { Locale } from "../../platform/i18n/define";
import type { LivcRole } from "../../platform/policy/actor";
import type { PlatformRole } from "./migrations";
import { assertMayGrant, checkGrant, RoleRuleError } from "./roles";
import type { Sector } from "./sectors";
import * as store from "./store";
import { extend } from "../../platform/objects";

/**
 * Account use cases other modules may call (through this file only):
 *   createAccount, grantMembership, ensureOrganisation, ensureDemoUser, membersOfLivc,
 *   activeRecipients (address + language for notice mails).
 * grantMembership and createAccount refuse with RoleRuleError what breaks the separation of duties
 * (decision 0041: an administrator never holds an LIVC role; nobody grants a role to themselves).
 */
export { RoleRuleError } from "./roles";
/**
 * Mails the requests that became pending to the people who may decide them (decisions 0047, 0049,
 * 0056); call after the commit. The daily job sends the one reminder.
 */
export { mailPendingRequests, runApprovalMailJobs } from "./approval-notify";
export type { RoleRuleCode } from "./roles";
export interface NewAccount {
  email: string;
  displayName: string;
  password?: string;
  /** Enrols TOTP right away with this secret (demo and tests); real users enrol themselves. */
  totpSecret?: string;
  status?: "active" | "invited" | "disabled";
  organisationId?: string | null;
  platformRoles?: PlatformRole[];
  memberships?: { livcId: string; role: LivcRole; organisationId?: string | null }[];
  /** The language of the account's mails and its UI default after login; default nl. */
  language?: Locale;
  /** Who creates the account (an administrator): may not be the account itself (decision 0041). */
  grantedBy?: string | null;
}

export async function createAccount(ctx: AppContext, a: NewAccount): Promise<string> {
  const db = ctx.database.db;
  if (a.platformRoles?.includes("admin") && a.memberships?.length) throw new RoleRuleError("admin_holds_livc_role", "roles");
  const id = await store.insertUser(db, {
    email: a.email,
    displayName: a.displayName,
    status: a.status ?? "active",
    passwordHash: a.password ? await hashPassword(a.password) : null,
    organisationId: a.organisationId ?? null,
    language: a.language,
  });
  if (a.totpSecret) await setTotpSecret(ctx, id, a.totpSecret);
  if (a.platformRoles?.length) await store.setPlatformRoles(db, id, a.platformRoles);
  for (const m of a.memberships ?? []) {
    const period = await checkGrant(db, { userId: id, livcId: m.livcId, role: m.role, grantedBy: a.grantedBy });
    await store.insertMembership(db, { userId: id, livcId: m.livcId, role: m.role, organisationId: m.organisationId ?? a.organisationId ?? null, ...period }, { state: "approved" });
  }
  return id;
}

export async function setTotpSecret(ctx: AppContext, userId: string, secret: string) {
  const keyring = await keyringFor(ctx);
  await store.updateUser(ctx.database.db, userId, { totp_secret: keyring.encrypt({ table: "app_user", column: "totp_secret", rowId: userId }, secret), totp_last_step: null });
}

/**
 * Adds an LIVC role that counts at once; the person's open sessions get a new id on their next request
 * (privilege change). Only for grants that do not come from a single administrator (decision 0049):
 * partner invitation acceptance (grantedBy: the inviting chair or coordinator), demo data, tests. An
 * administrator's grant goes through requestMembership (pending until a second person approves).
 * Throws RoleRuleError: "self_grant", "admin_holds_livc_role" (decision 0041), "duplicate" (the same
 * role in the same LIVC for an overlapping period), "bad_date"/"to_before_from".
 */
export async function grantMembership(
  ctx: AppContext,
  m: { userId: string; livcId: string; role: LivcRole; organisationId?: string | null; validFrom?: string; validTo?: string | null; grantedBy?: string | null },
) {
  const db = ctx.database.db;
  const period = await checkGrant(db, m);
  const id = await store.insertMembership(db, { userId: m.userId, livcId: m.livcId, role: m.role, organisationId: m.organisationId ?? null, ...period }, { state: "approved" });
  await markSessionsForRotation(db, m.userId);
  return id;
}

/**
 * An administrator asks for an LIVC role for someone (the LIVC form's officer links): the row is
 * PENDING and gives no access until another administrator, or a current chair or coordinator of that
 * LIVC, approves it (decision 0049). Same rules as grantMembership; records account.membership.request
 * on ctx's database (pass the caller's transaction). Returns the membership id.
 */
export { requestMembership } from "./approvals";

/** Why this account may not get an LIVC role from grantedBy (decision 0041), or null: for forms that check before saving. */
export async function grantRefusal(ctx: AppContext, g: { userId: string; grantedBy?: string | null }): Promise<RoleRuleError | null> {
  try {
    await assertMayGrant(ctx.database.db, g);
    return null;
  } catch (e) {
    if (e instanceof RoleRuleError) return e;
    throw e;
  }
}

export async function ensureOrganisation(ctx: AppContext, o: { name: string; sector: Sector }): Promise<string> {
  const existing = await ctx.database.db.selectFrom("organisation").select("id").where("name", "=", o.name).executeTakeFirst();
  return existing?.id ?? store.insertOrganisation(ctx.database.db, o);
}

export const membersOfLivc = (ctx: AppContext, livcId: string, date?: string) => store.membersOfLivc(ctx.database.db, livcId, date);
export const activeHoldersOf = (ctx: AppContext, livcId: string, roles: readonly LivcRole[], date?: string) => store.activeHoldersOf(ctx.database.db, livcId, roles, date);

/** The one demo password (fictional accounts; `npm start` prints it). Never used outside demo data. */
export const DEMO_PASSWORD = "Schakel-demo-2026!";

/**
 * For demo seeders of other modules: makes (or finds) an active fictional account with the demo
 * password and an enrolled TOTP secret, adds the given LIVC memberships, and returns what
 * `npm start` prints. Refused in production.
 */
export async function ensureDemoUser(
  ctx: AppContext,
  u: { email: string; displayName: string; role: string; platformRoles?: PlatformRole[]; memberships?: { livcId: string; role: LivcRole; organisationId?: string | null }[]; organisationId?: string | null },
): Promise<{ userId: string; account: { role: string; login: string; password: string; note: string } }> {
  if (ctx.config.production) throw new Error("Demo accounts are never created in production");
  const existing = await store.findUserByEmail(ctx.database.db, u.email);
  let userId: string;
  let secret: string;
  if (existing) {
    userId = existing.id;
    secret = (await keyringFor(ctx)).decrypt({ table: "app_user", column: "totp_secret", rowId: userId }, existing.totp_secret!);
    for (const m of u.memberships ?? []) {
      // A role already held (seeded again, or by another module's demo) is kept, and gets the
      // organisation when it had none (registry's demo links officers without one).
      try {
        await grantMembership(ctx, { userId, ...m });
      } catch (e) {
        if (!(e instanceof RoleRuleError && e.code === "duplicate")) throw e;
        if (m.organisationId) await store.setMissingOrganisation(ctx.database.db, { userId, livcId: m.livcId, role: m.role, organisationId: m.organisationId });
      }
    }
  } else {
    secret = newTotpSecret();
    userId = await createAccount(ctx, extend(u, { password: DEMO_PASSWORD, totpSecret: secret, status: "active" }));
  }
  return { userId, account: { role: u.role, login: u.email, password: DEMO_PASSWORD, note: `TOTP secret ${secret} (demo only)` } };
}

/** The e-mail address of an active account (for "log in, you have a notice" mails), else null. */
export async function activeEmailOf(ctx: AppContext, userId: string): Promise<string | null> {
  const u = await store.findUser(ctx.database.db, userId);
  return u && u.status === "active" ? u.email : null;
}

/** Where a notice mail goes and in which language: the account's own (decision 0035). */
export interface MailRecipient {
  email: string;
  language: Locale;
}

/**
 * The active accounts among userIds, each with its address and language, for "log in, you have a
 * notice" mails (each sent in the recipient's language only). Unknown and inactive accounts are left out.
 */
export const activeRecipients = (ctx: AppContext, userIds: string[]): Promise<MailRecipient[]> => store.activeRecipients(ctx.database.db, userIds);

/** Display names by user id (for lists in other modules; no other account data). */
export async function displayNames(ctx: AppContext, userIds: string[]): Promise<Record<string, string>> {
  if (userIds.length === 0) return {};
  const rows = await ctx.database.db.selectFrom("app_user").select(["id", "display_name"]).where("id", "in", userIds).execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.display_name]));
}

/** For CLI commands of other modules: the account id behind an e-mail address, or null. */
export async function userIdByEmail(ctx: AppContext, email: string): Promise<string | null> {
  return (await store.findUserByEmail(ctx.database.db, email))?.id ?? null;
}

/**
 * Ends the partner_member memberships that represent an organisation: in one LIVC (livcId: the
 * organisation's seat there ended) and/or of one person (userId: no longer a contact of it). The last
 * day counts (yesterday: no longer today); a membership already ending on or before it is left alone,
 * one starting after it ends the day before its start (it never counts, as endRole allows). The
 * sessions of each person lose the role on their next request and are rotated. Runs on db (pass the
 * caller's transaction: the caller records one audit entry per membership returned, in it). Nothing
 * is ever granted again by this module when a seat reopens: a chair or an administrator grants anew.
 */
export async function endMembershipsOfOrganisation(
  db: AppContext["database"]["db"],
  o: { livcId?: string; organisationId: string; userId?: string; lastDay: string },
): Promise<{ id: string; userId: string; livcId: string | null; validTo: string }[]> {
  let q = db
    .selectFrom("membership")
    .select(["id", "user_id", "livc_id", "valid_from", "valid_to"])
    .where("role", "=", "partner_member")
    .where("organisation_id", "=", o.organisationId)
    .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">", o.lastDay)]));
  if (o.livcId !== undefined) q = q.where("livc_id", "=", o.livcId);
  if (o.userId !== undefined) q = q.where("user_id", "=", o.userId);
  const ended: { id: string; userId: string; livcId: string | null; validTo: string }[] = [];
  for (const m of await q.orderBy("id").execute()) {
    const dayBefore = new Date(`${m.valid_from}T00:00:00Z`);
    dayBefore.setUTCDate(dayBefore.getUTCDate() - 1);
    const start = dayBefore.toISOString().slice(0, 10);
    let validTo = o.lastDay;
    if (validTo < start) validTo = start;
    if (m.valid_to !== null && m.valid_to <= validTo) continue;
    await store.endMembership(db, m.id, validTo);
    ended.push({ id: m.id, userId: m.user_id, livcId: m.livc_id, validTo });
  }
  for (const userId of new Set(ended.map((m) => m.userId))) await markSessionsForRotation(db, userId);
  return ended;
}
