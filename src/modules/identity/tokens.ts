import { createHash } from "node:crypto";
import { randomBytesPooled } from "../../platform/crypto/random";
import type { AppContext } from "../../platform/context";
import { audit, type AuditWho } from "../../platform/audit";
import { hashPassword, type PasswordProblem, passwordProblem } from "../../platform/auth/password";
import { endAllSessions } from "../../platform/auth/session";
import { nowIso } from "../../platform/db/values";
import { findUser, updateUser } from "./store";
import { extend } from "../../platform/objects";

/**
 * Invitation and password-reset links: a random token in the link, only its hash stored; each
 * expires and works once. Neither bypasses MFA: after an invitation the person must enrol TOTP
 * before the session is logged in; after a reset every session ends and the next login still
 * asks for the code.
 */
export const TOKEN_HOURS = { invite: 72, reset: 1 } as const;
const hashToken = (t: string) => createHash("sha256").update(`schakel-account-token|${t}`).digest("hex");

export async function issueToken(ctx: AppContext, userId: string, purpose: "invite" | "reset"): Promise<string> {
  const token = randomBytesPooled(32).toString("base64url");
  const db = ctx.database.db;
  // A new link replaces any earlier one of the same kind.
  await db.updateTable("account_token").set({ used_at: nowIso() }).where("user_id", "=", userId).where("purpose", "=", purpose).where("used_at", "is", null).execute();
  await db
    .insertInto("account_token")
    .values({ id: hashToken(token), user_id: userId, purpose, created_at: nowIso(), expires_at: new Date(Date.now() + TOKEN_HOURS[purpose] * 3_600_000).toISOString(), used_at: null })
    .execute();
  return token;
}

/** The account a still-valid token belongs to (without using it up), or null. */
export async function peekToken(ctx: AppContext, token: string, purpose: "invite" | "reset") {
  if (!token || token.length > 100) return null;
  const row = await ctx.database.db.selectFrom("account_token").selectAll().where("id", "=", hashToken(token)).where("purpose", "=", purpose).executeTakeFirst();
  if (!row || row.used_at || Date.parse(row.expires_at) < Date.now()) return null;
  const user = await findUser(ctx.database.db, row.user_id);
  if (!user || user.status === "disabled") return null;
  return { tokenId: row.id, user };
}

export type SetPasswordResult = { kind: "invalid_token" } | { kind: "weak"; problem: PasswordProblem } | { kind: "mismatch" } | { kind: "ok"; userId: string };

/** Uses a token to set a password: single use (conditional update), ends all sessions, activates an invited account. */
export async function redeemToken(ctx: AppContext, who: AuditWho, token: string, purpose: "invite" | "reset", password: string, confirm: string): Promise<SetPasswordResult> {
  const found = await peekToken(ctx, token, purpose);
  if (!found) {
    await audit.recordFor(ctx, who, { action: `account.${purpose}.redeem`, resourceType: "account", outcome: "failure" });
    return { kind: "invalid_token" };
  }
  if (password !== confirm) return { kind: "mismatch" };
  const problem = await passwordProblem(password, [found.user.email, found.user.display_name]);
  if (problem) return { kind: "weak", problem };
  const hash = await hashPassword(password);
  // Token use, new password, ended sessions and the audit entry commit together or not at all.
  const redeemed = await ctx.database.db.transaction().execute(async (trx) => {
    const used = await trx.updateTable("account_token").set({ used_at: nowIso() }).where("id", "=", found.tokenId).where("used_at", "is", null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return false;
    await updateUser(trx, found.user.id, { password_hash: hash, ...(found.user.status === "invited" ? { status: "active" } : {}) });
    await endAllSessions(trx, found.user.id);
    await audit.recordFor(ctx, extend(who, { userId: found.user.id }), { action: `account.${purpose}.redeem`, resourceType: "account", resourceId: found.user.id, outcome: "success" }, { db: trx });
    return true;
  });
  if (!redeemed) return { kind: "invalid_token" };
  return { kind: "ok", userId: found.user.id };
}
