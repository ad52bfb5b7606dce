import { createHash } from "node:crypto";
import { randomBytesPooled } from "../crypto/random";
import { CompiledQuery, type Kysely } from "kysely";
import type { SessionStage, SessionTable } from "../../modules/identity/migrations";
import type { Config } from "../config";
import type { Database } from "../db";
import type { DB } from "../db/schema";
import { nowIso, todayInBrussels } from "../db/values";
import { type Actor, LIVC_ROLES, type LivcMembership } from "../policy/actor";
import { deleteStashOf, STASH_MINUTES, sweepStashes } from "./stash";
import { everyColumn } from "../db/columns";

/**
 * Server-side sessions (docs/decisions: sessions in the database). The cookie holds a random
 * token; the table keys on its SHA-256, so several app instances on one PostgreSQL share sessions.
 */
export const SESSION_COOKIE = "__Host-schakel_session";
/** Minutes a half-finished login (password done, second factor not yet) stays usable. */
export const PENDING_MINUTES = 10;
/** Minutes after a password or code check during which sensitive account changes are allowed. */
export const REAUTH_MINUTES = 5;

export type SessionRow = SessionTable;

const newToken = () => randomBytesPooled(32).toString("base64url");
export const sessionIdOf = (token: string) => createHash("sha256").update(token).digest("hex");

export const cookieOptions = { path: "/", secure: true, httpOnly: true, sameSite: "strict" } as const;

export async function createSession(
  db: Kysely<DB>,
  userId: string,
  stage: SessionStage,
  method: "password" | "oidc",
  nextPath: string | null,
  /** The provider's session id of an SSO login (decision 0038); rotateSession carries it. */
  oidcSid: string | null = null,
): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  const now = nowIso();
  const session: SessionRow = {
    id: sessionIdOf(token),
    user_id: userId,
    stage,
    csrf_token: newToken(),
    auth_method: method,
    created_at: now,
    last_seen_at: now,
    reauth_at: now,
    rotate: 0,
    next_path: nextPath,
    pending_totp: null,
    oidc_sid: method === "oidc" ? oidcSid : null,
  };
  await db.insertInto("session").values(session).execute();
  return { token, session };
}

/** A session's account as read with it: null when the account is gone or not active. */
export interface SessionAccount {
  userId: string;
  displayName: string;
  roles: string[];
  memberships: { livc_id: string; role: string; organisation_id: string | null }[];
}

/**
 * The live session for a cookie value together with its account, platform roles and the memberships
 * valid today, in ONE statement (issue 9: these were four queries on every request, ~24% of the
 * cheapest authenticated request on SQLite and four round trips on PostgreSQL). Unknown or expired:
 * null (expired rows are deleted, or kept a while for decision 0057). Nothing is cached: a role taken away counts on the next request.
 */
export async function loadSessionWithAccount(
  database: Database,
  config: Config,
  token: string | undefined,
  now = Date.now(),
  /** Filled in when the cookie names an ended session still kept to identify its person (decision 0057). */
  ended?: { expired: SessionRow | null },
  /**
   * "page": with the navigation's count of role requests to decide (decision 0079); "api": without. A
   * function is given the session id (the cookie's hash) to choose.
   */
  use: "page" | "api" | ((sessionId: string) => "page" | "api") = "page",
  /** With the case list token (decision 0088): for the routes whose reads are kept per token. */
  withListToken = false,
): Promise<{ session: SessionRow; account: SessionAccount | null; pendingApprovals: number | null; listToken: string | null } | null> {
  if (!token || token.length > 100) return null;
  const today = todayInBrussels();
  const id = sessionIdOf(token);
  const page = (typeof use === "function" ? use(id) : use) === "page";
  const texts = (page ? PAGE_STATEMENTS : API_STATEMENTS)[withListToken ? 1 : 0];
  const { rows } = await database.db.executeQuery<SessionRow & AccountColumns>(
    database.dialect === "sqlite"
      ? CompiledQuery.raw(texts.sqlite, page ? [today, today, today, today, today, today, id] : [today, today, id])
      : CompiledQuery.raw(texts.postgres, [today, id]),
  );
  const found = rows[0];
  if (!found) return null;
  const { account_display_name, account_status, account_roles, account_memberships, pending_approvals, list_token, ...row } = found;
  const created = Date.parse(row.created_at);
  const seen = Date.parse(row.last_seen_at);
  const expired =
    now - seen > config.SCHAKEL_SESSION_IDLE_MINUTES * 60_000 ||
    now - created > config.SCHAKEL_SESSION_ABSOLUTE_HOURS * 3_600_000 ||
    (row.stage !== "full" && now - created > PENDING_MINUTES * 60_000);
  if (expired) {
    // Decision 0057: an ended full session of an active account stays (never live again: only a live
    // session moves its times) for STASH_MINUTES after it expired, so a form posted with it can still be
    // kept for its person (hooks.ts). Older rows, half logins and disabled accounts go as before.
    if (row.stage === "full" && account_status === "active" && now - expiredAt(row, config) < STASH_MINUTES * 60_000) {
      if (ended) ended.expired = row;
    } else {
      await database.db.deleteFrom("session").where("id", "=", row.id).execute();
    }
    return null;
  }
  // Writing on every request would be costly; a 30-second granularity is enough for a 30-minute idle limit.
  if (now - seen > 30_000) {
    const at = new Date(now).toISOString();
    await database.db.updateTable("session").set({ last_seen_at: at }).where("id", "=", row.id).execute();
    row.last_seen_at = at;
  }
  const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;
  const account: SessionAccount | null =
    account_status === "active"
      ? {
          userId: row.user_id,
          displayName: account_display_name ?? "",
          roles: json<string[] | null>(account_roles) ?? [],
          memberships: (json<[string, string, string | null][] | null>(account_memberships) ?? []).map(([livc_id, role, organisation_id]) => ({ livc_id, role, organisation_id })),
        }
      : null;
  return { session: row, account, pendingApprovals: pending_approvals === null || pending_approvals === undefined ? null : Number(pending_approvals), listToken: list_token ?? null };
}

/** When a full session stopped being live: its idle or its absolute limit, whichever came first. */
export const expiredAt = (row: Pick<SessionRow, "created_at" | "last_seen_at">, limits: SessionLimits): number =>
  Math.min(Date.parse(row.last_seen_at) + limits.SCHAKEL_SESSION_IDLE_MINUTES * 60_000, Date.parse(row.created_at) + limits.SCHAKEL_SESSION_ABSOLUTE_HOURS * 3_600_000);

/**
 * An ended session of this person that issued this CSRF token and is still kept (decision 0057): a form
 * from a tab whose session ended while the person logged in again elsewhere in the browser. Only asked
 * when a CSRF check has failed, never on the normal request path. Live sessions do not count.
 */
export async function endedSessionWithToken(db: Kysely<DB>, limits: SessionLimits, userId: string, csrfToken: string, now = Date.now()): Promise<SessionRow | null> {
  if (csrfToken.length < 32 || csrfToken.length > 100) return null;
  const rows = await db.selectFrom("session").selectAll().where("user_id", "=", userId).where("csrf_token", "=", csrfToken).where("stage", "=", "full").execute();
  return rows.find((r) => now >= expiredAt(r, limits) && now - expiredAt(r, limits) < STASH_MINUTES * 60_000) ?? null;
}

interface AccountColumns {
  account_display_name: string | null;
  account_status: string | null;
  account_roles: unknown;
  account_memberships: unknown;
  /** Pages only (decision 0079): null unless the person may decide role requests; PostgreSQL's count is a bigint (a string). */
  pending_approvals?: number | string | null;
  /** Routes that ask for it only (decision 0088): the case list token, read in the same statement. */
  list_token?: string | null;
}

/** The session row's columns, named (not s.*): a statement without a wildcard is cheaper to run on SQLite (db/columns.ts). */
const SESSION_COLUMNS = everyColumn<SessionRow>()("session", ["id", "user_id", "stage", "csrf_token", "auth_method", "created_at", "last_seen_at", "reauth_at", "rotate", "next_path", "pending_totp", "oidc_sid"]);
const sessionColumns = SESSION_COLUMNS.map((c) => `s.${c}`).join(", ");

/**
 * The pending LIVC role requests this person may decide (decision 0049), for the navigation's count:
 * an administrator, anyone's but their own and not for themselves; a chair or coordinator, those of
 * their LIVCs (approved roles valid today). Plus, for an administrator, the pending admin and dpo
 * requests (decision 0049, amended) neither asked by nor for them. `user` and `today` are SQL: a
 * parameter, or the session statement's own column (decision 0079).
 * On SQLite "+o.approval" keeps the planner on membership_user (the approval index scanned the LIVC's members).
 */
const PENDING_COUNT = (user: string, today: string, notIndexed: string) => `(select count(*) from membership p
    where p.approval = 'pending' and p.user_id <> ${user} and p.requested_by <> ${user}
      and (exists (select 1 from platform_role a where a.user_id = ${user} and a.role = 'admin')
        or p.livc_id in (select o.livc_id from membership o where o.user_id = ${user} and o.role in ('chair', 'coordinator')
          and ${notIndexed}o.approval = 'approved' and o.valid_from <= ${today} and (o.valid_to is null or o.valid_to >= ${today}))))
  + (select count(*) from platform_role_request q
    where q.approval = 'pending' and q.user_id <> ${user} and q.requested_by <> ${user}
      and exists (select 1 from platform_role b where b.user_id = ${user} and b.role = 'admin'))`;

/**
 * Who may decide role requests (hooks.ts mayDecideRoles, in SQL): an administrator, or a chair or
 * coordinator of an LIVC with an approved role valid today. Only for them is the count computed.
 */
const DECIDES = (today: string, notIndexed: string) => `exists (select 1 from platform_role g where g.user_id = s.user_id and g.role = 'admin')
    or exists (select 1 from membership d where d.user_id = s.user_id and d.livc_id is not null and d.role in ('chair', 'coordinator')
      and ${notIndexed}d.approval = 'approved' and d.valid_from <= ${today} and (d.valid_to is null or d.valid_to >= ${today}))`;

// The same statement per dialect: JSON aggregation is spelt differently. Memberships valid today and
// APPROVED only (decision 0049: an administrator's pending grant gives nothing). SQLite's parameters
// are positional: `today` once per place it is used, then the session id.
const sessionWithAccount = (dialect: "sqlite" | "postgres", withApprovals: boolean, withToken = false) => {
  const today = dialect === "sqlite" ? "?" : "$1";
  // Decision 0088: the case list token (list-memo.ts) for the routes that keep reads per token, in the same
  // statement: one round trip fewer on every case list and case page view. A constant subquery: no parameter.
  const token = withToken ? ",\n  (select t.token from case_list_revision t where t.id = 1) as list_token" : "";
  const group = dialect === "sqlite" ? "json_group_array" : "json_agg";
  const array = dialect === "sqlite" ? "json_array" : "json_build_array";
  const notIndexed = dialect === "sqlite" ? "+" : "";
  // Decision 0079: the navigation's count of role requests to decide, in the same statement (one round
  // trip fewer on every page of those who decide); null for everyone else, who pay only the two lookups.
  const approvals = withApprovals ? `,\n  case when ${DECIDES(today, notIndexed)} then ${PENDING_COUNT("s.user_id", today, notIndexed)} end as pending_approvals` : "";
  if (dialect === "postgres" && withApprovals) {
    // PostgreSQL: roles and memberships read once each (lateral), and who decides taken from those rows,
    // so someone who decides nothing pays no lookup more than the API's statement.
    return `select ${sessionColumns}, u.display_name as account_display_name, u.status as account_status,
  r.roles as account_roles, m.memberships as account_memberships,
  case when r.admin or m.decides then ${PENDING_COUNT("s.user_id", today, notIndexed)} end as pending_approvals${token}
from session s left join app_user u on u.id = s.user_id
  left join lateral (select json_agg(r.role) as roles, bool_or(r.role = 'admin') as admin from platform_role r where r.user_id = s.user_id) r on true
  left join lateral (select json_agg(json_build_array(m.livc_id, m.role, m.organisation_id)) as memberships, bool_or(m.role in ('chair', 'coordinator')) as decides from membership m
    where m.user_id = s.user_id and m.livc_id is not null and m.approval = 'approved' and m.valid_from <= $1 and (m.valid_to is null or m.valid_to >= $1)) m on true
where s.id = $2`;
  }
  return `select ${sessionColumns}, u.display_name as account_display_name, u.status as account_status,
  (select ${group}(r.role) from platform_role r where r.user_id = s.user_id) as account_roles,
  (select ${group}(${array}(m.livc_id, m.role, m.organisation_id)) from membership m
    where m.user_id = s.user_id and m.livc_id is not null and m.approval = 'approved' and m.valid_from <= ${today} and (m.valid_to is null or m.valid_to >= ${today})) as account_memberships${approvals}${token}
from session s left join app_user u on u.id = s.user_id where s.id = ${dialect === "sqlite" ? "?" : "$2"}`;
};

/** The session statement of every page (and form post): with the navigation's count (decision 0079). */
export const SESSION_WITH_ACCOUNT = { sqlite: sessionWithAccount("sqlite", true), postgres: sessionWithAccount("postgres", true) };
/** The session statement of the JSON API, which has no navigation. */
export const SESSION_WITH_ACCOUNT_API = { sqlite: sessionWithAccount("sqlite", false), postgres: sessionWithAccount("postgres", false) };
/** Each of the two without and with the case list token (decision 0088), for the routes that ask for it. */
const PAGE_STATEMENTS = [SESSION_WITH_ACCOUNT, { sqlite: sessionWithAccount("sqlite", true, true), postgres: sessionWithAccount("postgres", true, true) }] as const;
const API_STATEMENTS = [SESSION_WITH_ACCOUNT_API, { sqlite: sessionWithAccount("sqlite", false, true), postgres: sessionWithAccount("postgres", false, true) }] as const;

const PENDING_APPROVALS = {
  sqlite: `select ${PENDING_COUNT("?", "?", "+")} as n`,
  postgres: `select ${PENDING_COUNT("$1", "$2", "")} as n`,
};

/** The navigation's count (PENDING_COUNT) for one person, in a statement of its own: what a page's session statement gives (decision 0079). */
export async function pendingApprovalsFor(database: Database, userId: string): Promise<number> {
  const today = todayInBrussels();
  const { rows } = await database.db.executeQuery<{ n: number | string }>(
    database.dialect === "sqlite"
      ? CompiledQuery.raw(PENDING_APPROVALS.sqlite, [userId, userId, userId, userId, today, today, userId, userId, userId])
      : CompiledQuery.raw(PENDING_APPROVALS.postgres, [userId, today]),
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A new id for the same session: at login steps and privilege changes. The row is copied whole, so
 * everything else (auth_method, oidc_sid for back-channel logout) stays. The CSRF token stays with a
 * full session's lineage (decision 0057): a re-authentication or a role change in one tab must not
 * void the forms open in the others. A login step (a half session becoming full) gets a new one.
 */
export async function rotateSession(db: Kysely<DB>, session: SessionRow, changes: Partial<Pick<SessionRow, "stage" | "reauth_at" | "next_path">> = {}): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  const sameLineage = session.stage === "full" && (changes.stage ?? session.stage) === "full";
  const next: SessionRow = Object.assign({}, session, changes, { id: sessionIdOf(token), csrf_token: sameLineage ? session.csrf_token : newToken(), rotate: 0, last_seen_at: nowIso() });
  const swap = async (trx: Kysely<DB>) => {
    await trx.deleteFrom("session").where("id", "=", session.id).execute();
    await trx.insertInto("session").values(next).execute();
  };
  // Inside a caller's transaction (a change committed with its audit entry) the swap joins it.
  if (db.isTransaction) await swap(db);
  else await db.transaction().execute(swap);
  return { token, session: next };
}

export async function endSession(db: Kysely<DB>, sessionId: string): Promise<void> {
  await db.deleteFrom("session").where("id", "=", sessionId).execute();
}

/**
 * Ends every session of a user (logout everywhere, account disabled, e-mail changed, password reset);
 * returns how many. When all of them end, the person's kept form (decision 0057) goes with them.
 */
export async function endAllSessions(db: Kysely<DB>, userId: string, exceptSessionId?: string): Promise<number> {
  let q = db.deleteFrom("session").where("user_id", "=", userId);
  if (exceptSessionId) q = q.where("id", "!=", exceptSessionId);
  else await deleteStashOf(db, userId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

/** Marks a user's sessions so each gets a new id on its next request (roles changed). */
export async function markSessionsForRotation(db: Kysely<DB>, userId: string): Promise<void> {
  await db.updateTable("session").set({ rotate: 1 }).where("user_id", "=", userId).execute();
}

/** The session limits of the configuration: what makes a row expired (the same rule as loadSessionWithAccount). */
export type SessionLimits = Pick<Config, "SCHAKEL_SESSION_IDLE_MINUTES" | "SCHAKEL_SESSION_ABSOLUTE_HOURS">;
const cutoffs = (limits: SessionLimits, now: number) => ({
  idle: new Date(now - limits.SCHAKEL_SESSION_IDLE_MINUTES * 60_000).toISOString(),
  absolute: new Date(now - limits.SCHAKEL_SESSION_ABSOLUTE_HOURS * 3_600_000).toISOString(),
  pending: new Date(now - PENDING_MINUTES * 60_000).toISOString(),
});

/** A user's LIVE sessions, newest first (/account): an idle, too old or abandoned half login is not one (decision 0053). */
export async function listSessions(db: Kysely<DB>, userId: string, limits: SessionLimits, now = Date.now()) {
  const c = cutoffs(limits, now);
  return db
    .selectFrom("session")
    .select(["id", "created_at", "last_seen_at", "auth_method", "stage"])
    .where("user_id", "=", userId)
    .where("last_seen_at", ">=", c.idle)
    .where("created_at", ">=", c.absolute)
    .where((eb) => eb.or([eb("stage", "=", "full"), eb("created_at", ">=", c.pending)]))
    .orderBy("created_at", "desc")
    .execute();
}

/**
 * Deletes every expired session row (the daily job, decision 0053), and every kept form past its life
 * (decision 0057). An expired row was otherwise only deleted when its own cookie came back, so a closed
 * browser left it for ever. Returns how many sessions went.
 */
export async function sweepExpiredSessions(db: Kysely<DB>, limits: SessionLimits, now = Date.now()): Promise<number> {
  const c = cutoffs(limits, now);
  const r = await db
    .deleteFrom("session")
    .where((eb) => eb.or([eb("last_seen_at", "<", c.idle), eb("created_at", "<", c.absolute), eb.and([eb("stage", "!=", "full"), eb("created_at", "<", c.pending)])]))
    .executeTakeFirst();
  await sweepStashes(db, now);
  return Number(r.numDeletedRows ?? 0);
}

/** The Actor of a full session: only active accounts, only memberships valid today. */
export function actorOf(session: SessionRow, account: SessionAccount): Actor {
  const platform = new Set(account.roles);
  return {
    userId: account.userId,
    displayName: account.displayName,
    sessionId: session.id,
    authMethod: session.auth_method,
    isAdmin: platform.has("admin"),
    isRegionalAnalyst: platform.has("regional_analyst"),
    isDpo: platform.has("dpo"),
    memberships: account.memberships
      .filter((m) => (LIVC_ROLES as readonly string[]).includes(m.role))
      .map((m): LivcMembership => ({ livcId: m.livc_id, role: m.role as LivcMembership["role"], organisationId: m.organisation_id })),
  };
}
