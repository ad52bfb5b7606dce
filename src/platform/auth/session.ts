import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { SessionStage, SessionTable } from "../../modules/identity/migrations";
import type { Config } from "../config";
import { precompiled } from "../db/precompiled";
import type { DB } from "../db/schema";
import { nowIso, todayInBrussels } from "../db/values";
import { type Actor, LIVC_ROLES, type LivcMembership } from "../policy/actor";

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

const newToken = () => randomBytes(32).toString("base64url");
export const sessionIdOf = (token: string) => createHash("sha256").update(token).digest("hex");

export const cookieOptions = { path: "/", secure: true, httpOnly: true, sameSite: "strict" } as const;

export async function createSession(
  db: Kysely<DB>,
  userId: string,
  stage: SessionStage,
  method: "password" | "oidc",
  nextPath: string | null,
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
  };
  await db.insertInto("session").values(session).execute();
  return { token, session };
}

/** The live session for a cookie value, or null when unknown or expired (expired rows are deleted). */
export async function loadSession(db: Kysely<DB>, config: Config, token: string | undefined, now = Date.now()): Promise<SessionRow | null> {
  if (!token || token.length > 100) return null;
  const [row] = await sessionById(db, sessionIdOf(token));
  if (!row) return null;
  const created = Date.parse(row.created_at);
  const seen = Date.parse(row.last_seen_at);
  const expired =
    now - seen > config.SCHAKEL_SESSION_IDLE_MINUTES * 60_000 ||
    now - created > config.SCHAKEL_SESSION_ABSOLUTE_HOURS * 3_600_000 ||
    (row.stage !== "full" && now - created > PENDING_MINUTES * 60_000);
  if (expired) {
    await db.deleteFrom("session").where("id", "=", row.id).execute();
    return null;
  }
  // Writing on every request would be costly; a 30-second granularity is enough for a 30-minute idle limit.
  if (now - seen > 30_000) {
    const at = new Date(now).toISOString();
    await db.updateTable("session").set({ last_seen_at: at }).where("id", "=", row.id).execute();
    row.last_seen_at = at;
  }
  return row;
}

/** A new id (and CSRF token) for the same session: at login steps and privilege changes. */
export async function rotateSession(db: Kysely<DB>, session: SessionRow, changes: Partial<Pick<SessionRow, "stage" | "reauth_at" | "next_path">> = {}): Promise<{ token: string; session: SessionRow }> {
  const token = newToken();
  const next: SessionRow = { ...session, ...changes, id: sessionIdOf(token), csrf_token: newToken(), rotate: 0, last_seen_at: nowIso() };
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

/** Ends every session of a user (logout everywhere, account disabled, password reset); returns how many. */
export async function endAllSessions(db: Kysely<DB>, userId: string, exceptSessionId?: string): Promise<number> {
  let q = db.deleteFrom("session").where("user_id", "=", userId);
  if (exceptSessionId) q = q.where("id", "!=", exceptSessionId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

/** Marks a user's sessions so each gets a new id on its next request (roles changed). */
export async function markSessionsForRotation(db: Kysely<DB>, userId: string): Promise<void> {
  await db.updateTable("session").set({ rotate: 1 }).where("user_id", "=", userId).execute();
}

export async function listSessions(db: Kysely<DB>, userId: string) {
  return db.selectFrom("session").select(["id", "created_at", "last_seen_at", "auth_method", "stage"]).where("user_id", "=", userId).orderBy("created_at", "desc").execute();
}

// The per-request lookups, compiled once per database (src/platform/db/precompiled.ts).
const sessionById = precompiled((db, id: string) => db.selectFrom("session").selectAll().where("id", "=", id));
const userById = precompiled((db, id: string) => db.selectFrom("app_user").select(["id", "display_name", "status"]).where("id", "=", id));
const platformRolesOf = precompiled((db, userId: string) => db.selectFrom("platform_role").select("role").where("user_id", "=", userId));
const membershipsOn = precompiled((db, userId: string, today: string) =>
  db
    .selectFrom("membership")
    .select(["livc_id", "role", "organisation_id"])
    .where("user_id", "=", userId)
    .where("livc_id", "is not", null)
    .where("valid_from", "<=", today)
    .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">=", today)])),
);

/** Builds the Actor from the database: only active accounts, only memberships valid today. */
export async function loadActor(db: Kysely<DB>, session: SessionRow): Promise<Actor | null> {
  const [user] = await userById(db, session.user_id);
  if (user?.status !== "active") return null;
  const today = todayInBrussels();
  const [roles, memberships] = await Promise.all([platformRolesOf(db, user.id), membershipsOn(db, user.id, today)]);
  const platform = new Set(roles.map((r) => r.role));
  return {
    userId: user.id,
    displayName: user.display_name,
    sessionId: session.id,
    authMethod: session.auth_method,
    isAdmin: platform.has("admin"),
    isRegionalAnalyst: platform.has("regional_analyst"),
    isDpo: platform.has("dpo"),
    memberships: memberships
      .filter((m) => (LIVC_ROLES as readonly string[]).includes(m.role))
      .map((m): LivcMembership => ({ livcId: m.livc_id!, role: m.role, organisationId: m.organisation_id })),
  };
}
