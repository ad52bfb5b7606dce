import { type Kysely, type Selectable, sql } from "kysely";
import type { DB } from "../../platform/db/schema";
import { precompiled } from "../../platform/db/precompiled";
import { containsInsensitive } from "../../platform/db/search";
import { newId, nowIso, toCount, todayInBrussels } from "../../platform/db/values";
import type { Locale } from "../../platform/i18n/define";
import type { LivcRole } from "../../platform/policy/actor";
import type { AppUserTable, MembershipTable, PlatformRole, UserStatus } from "./migrations";
import type { Sector } from "./sectors";
import { extend } from "../../platform/objects";

export type UserRow = AppUserTable;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export function findUserByEmail(db: Kysely<DB>, email: string) {
  return db.selectFrom("app_user").selectAll().where("email", "=", normaliseEmail(email)).executeTakeFirst();
}

export function findUser(db: Kysely<DB>, id: string) {
  return db.selectFrom("app_user").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findUserByOidc(db: Kysely<DB>, issuer: string, subject: string) {
  return db.selectFrom("app_user").selectAll().where("oidc_issuer", "=", issuer).where("oidc_subject", "=", subject).executeTakeFirst();
}

export async function insertUser(
  db: Kysely<DB>,
  u: { email: string; displayName: string; status: UserStatus; passwordHash?: string | null; organisationId?: string | null; id?: string; language?: Locale },
): Promise<string> {
  const id = u.id ?? newId();
  const now = nowIso();
  await db
    .insertInto("app_user")
    .values({
      id,
      email: normaliseEmail(u.email),
      display_name: u.displayName.trim(),
      password_hash: u.passwordHash ?? null,
      totp_secret: null,
      totp_last_step: null,
      oidc_issuer: null,
      oidc_subject: null,
      status: u.status,
      organisation_id: u.organisationId ?? null,
      language: u.language ?? "nl",
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function updateUser(db: Kysely<DB>, id: string, changes: Partial<Omit<AppUserTable, "id" | "created_at">>) {
  await db.updateTable("app_user").set(extend(changes, { updated_at: nowIso() })).where("id", "=", id).execute();
}

/**
 * Active accounts' addresses with their language, for "log in, you have a notice" mails; unknown
 * and inactive accounts are left out, each address once.
 */
export async function activeRecipients(db: Kysely<DB>, userIds: string[]): Promise<{ email: string; language: Locale }[]> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return [];
  return db.selectFrom("app_user").select(["email", "language"]).where("id", "in", ids).where("status", "=", "active").orderBy("email").execute();
}

/** Rows per page of the administrator's account list. */
export const ACCOUNT_PAGE_SIZE = 50;

/**
 * One page (1-based) of the accounts, sorted by name (lower-cased, then id, so pages never overlap),
 * with the total. A search matches part of the name or e-mail address, case-insensitively on both
 * dialects (PostgreSQL's LIKE is case-sensitive, so both sides are lower-cased). A page past the
 * end gives the last page.
 */
export async function accountPage(db: Kysely<DB>, opts: { search?: string; page?: number; size?: number }) {
  const size = opts.size ?? ACCOUNT_PAGE_SIZE;
  const term = (opts.search ?? "").trim();
  const base = db
    .selectFrom("app_user")
    .$if(term !== "", (q) => q.where((eb) => eb.or([containsInsensitive(eb, "display_name", term), containsInsensitive(eb, "email", term)])));
  const total = toCount((await base.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1) || 1), pages);
  const items = await base
    .select(["id", "email", "display_name", "status"])
    .orderBy(sql`lower(display_name)`)
    .orderBy("display_name")
    .orderBy("id")
    .limit(size)
    .offset((page - 1) * size)
    .execute();
  return { items, total, page, pages, size, search: term };
}

export async function platformRolesOf(db: Kysely<DB>, userId: string): Promise<PlatformRole[]> {
  return (await db.selectFrom("platform_role").select("role").where("user_id", "=", userId).execute()).map((r) => r.role);
}

export async function setPlatformRoles(db: Kysely<DB>, userId: string, roles: PlatformRole[]) {
  await db.deleteFrom("platform_role").where("user_id", "=", userId).execute();
  if (roles.length > 0) {
    const at = nowIso();
    await db.insertInto("platform_role").values(roles.map((role) => ({ user_id: userId, role, granted_at: at }))).execute();
  }
}

/** Every membership of a person, pending, refused and withdrawn ones too (the account page shows them all). */
export function membershipsOf(db: Kysely<DB>, userId: string): Promise<Selectable<MembershipTable>[]> {
  return db.selectFrom("membership").selectAll().where("user_id", "=", userId).orderBy("valid_from").execute();
}

/** People holding a role in an LIVC today (for the partners and meetings modules); approved roles only (decision 0049). */
export function membersOfLivc(db: Kysely<DB>, livcId: string, date = todayInBrussels()) {
  return db
    .selectFrom("membership")
    .innerJoin("app_user", "app_user.id", "membership.user_id")
    .select(["membership.id", "membership.user_id", "membership.role", "membership.organisation_id", "app_user.display_name", "app_user.status"])
    .where("membership.livc_id", "=", livcId)
    .where("membership.approval", "=", "approved")
    .where("membership.valid_from", "<=", date)
    .where((eb) => eb.or([eb("membership.valid_to", "is", null), eb("membership.valid_to", ">=", date)]))
    .orderBy("app_user.display_name")
    .execute();
}

/**
 * The active accounts holding one of these roles in an LIVC today: user id, role and organisation only,
 * no names and no ordering (a narrow, precompiled query on hot paths: the screeners told of every
 * submitted report, the core services offered as action owners on every case page).
 *
 * The roles, the approval and the status are written into the text (one precompiled query per set of roles, a
 * few fixed sets in the code), the LIVC and the date bound. With them all bound, PostgreSQL's generic plan
 * for the statement was estimated at three times the cost of one planned for the values (the same plan, from
 * the roles' list as unknown values), so it planned the statement anew on every run: ~120-180 us of planning
 * for ~10 us of work, on every report submitted (issue 9, session 28: 4,517 plans in 4,513 runs).
 */
const holdersByRoles = new Map<string, ReturnType<typeof holdersOf>>();
const holdersOf = (roles: readonly string[]) =>
  precompiled((db, livcId: string, date: string) =>
    db
      .selectFrom("membership")
      .innerJoin("app_user", "app_user.id", "membership.user_id")
      .select(["membership.user_id", "membership.role", "membership.organisation_id"])
      .where("membership.livc_id", "=", livcId)
      .where(sql<boolean>`membership.role in (${sql.join(roles.map((r) => sql.lit(r)))})`)
      .where("membership.approval", "=", sql.lit("approved"))
      .where("membership.valid_from", "<=", date)
      .where((eb) => eb.or([eb("membership.valid_to", "is", null), eb("membership.valid_to", ">=", date)]))
      .where("app_user.status", "=", sql.lit("active")),
  );

export function activeHoldersOf(db: Kysely<DB>, livcId: string, roles: readonly LivcRole[], date = todayInBrussels()) {
  if (roles.length === 0) return Promise.resolve([]);
  const key = roles.join(",");
  let holders = holdersByRoles.get(key);
  if (!holders) {
    holders = holdersOf(roles);
    holdersByRoles.set(key, holders);
  }
  return holders(db, livcId, date);
}

export async function insertMembership(
  db: Kysely<DB>,
  m: { userId: string; livcId: string | null; role: LivcRole; organisationId?: string | null; validFrom?: string; validTo?: string | null },
  /** Decision 0049: "approved" counts at once; "pending" (an administrator's request) waits for a second person. */
  approval: { state: "approved" } | { state: "pending"; requestedBy: string },
): Promise<string> {
  const id = newId();
  await db
    .insertInto("membership")
    .values({
      id,
      user_id: m.userId,
      livc_id: m.livcId,
      role: m.role,
      organisation_id: m.organisationId ?? null,
      valid_from: m.validFrom ?? todayInBrussels(),
      valid_to: m.validTo ?? null,
      approval: approval.state,
      requested_by: approval.state === "pending" ? approval.requestedBy : null,
      requested_at: approval.state === "pending" ? nowIso() : null,
    })
    .execute();
  return id;
}

export async function endMembership(db: Kysely<DB>, id: string, validTo: string) {
  await db.updateTable("membership").set({ valid_to: validTo }).where("id", "=", id).execute();
}

/** Demo seeding: the organisation of a person's role in an LIVC that has none yet (open memberships only). */
export async function setMissingOrganisation(db: Kysely<DB>, m: { userId: string; livcId: string; role: LivcRole; organisationId: string }) {
  await db
    .updateTable("membership")
    .set({ organisation_id: m.organisationId })
    .where("user_id", "=", m.userId)
    .where("livc_id", "=", m.livcId)
    .where("role", "=", m.role)
    .where("organisation_id", "is", null)
    .where("valid_to", "is", null)
    .execute();
}

export async function insertOrganisation(db: Kysely<DB>, o: { name: string; sector: Sector; id?: string }): Promise<string> {
  const id = o.id ?? newId();
  await db.insertInto("organisation").values({ id, name: o.name.trim(), sector: o.sector, created_at: nowIso() }).execute();
  return id;
}

export function listOrganisations(db: Kysely<DB>) {
  return db.selectFrom("organisation").selectAll().orderBy("name").execute();
}

/** Organisations whose name contains the text (any case, typed %, _ and \\ taken literally), by name, at most `limit`. */
export const organisationsNamed = (db: Kysely<DB>, text: string, limit: number) =>
  db
    .selectFrom("organisation")
    .select(["id", "name", "sector"])
    // Typed %, _ and \ are plain characters, on SQLite and PostgreSQL alike.
    .where((eb) => containsInsensitive(eb, "name", text))
    .orderBy("name")
    .limit(limit)
    .execute();

export const organisationsWithIds = (db: Kysely<DB>, ids: readonly string[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom("organisation").select(["id", "name", "sector"]).where("id", "in", [...ids]).orderBy("name").execute();

export function findOrganisation(db: Kysely<DB>, id: string) {
  return db.selectFrom("organisation").selectAll().where("id", "=", id).executeTakeFirst();
}
