import type { Kysely } from "kysely";
import { type AuditWho, audit } from "../../platform/audit";
import { endAllSessions } from "../../platform/auth/session";
import { type AppContext, bound } from "../../platform/context";
import type { DB } from "../../platform/db/schema";
import { isLocale, type Locale, type MessageKey, translator } from "../../platform/i18n";
import { nowIso } from "../../platform/db/values";
import { mailFailed, mailTransport } from "../../platform/mail";
import { removeSsoLink } from "./sso-link";
import { findUser, findUserByEmail, updateUser } from "./store";
import { issueToken } from "./tokens";
import { extend } from "../../platform/objects";

/**
 * Account recovery (decision 0045).
 *
 * resetSecondFactor: a person lost both the authenticator app and the recovery codes; an
 * administrator checked their identity outside Schakel. The TOTP secret, every recovery code and the
 * password are deleted, every session ends, an SSO link is removed, and a new single-use reset link
 * (1 h) is issued: the only way back in is that link (new password), then the existing enrolment
 * flow (login.ts startEnrolment/finishEnrolment) at the next login, as on first use. The password
 * goes too because with the old password alone the next login would reach the enrolment step: a
 * stolen password must not be enough to enrol the attacker's authenticator. The SSO link goes for
 * the same reason (an SSO login without provider MFA would reach enrolment too).
 * Run it inside the caller's transaction, which also writes the audit entry.
 */
export async function resetSecondFactor(ctx: AppContext, userId: string): Promise<{ token: string; ssoRemoved: boolean }> {
  const db = ctx.database.db;
  await updateUser(db, userId, { totp_secret: null, totp_last_step: null, password_hash: null });
  await db.deleteFrom("recovery_code").where("user_id", "=", userId).execute();
  const sso = await removeSsoLink(db, userId);
  await endAllSessions(db, userId);
  // Any earlier invitation link stops working too (issueToken replaces earlier reset links itself).
  await db.updateTable("account_token").set({ used_at: new Date().toISOString() }).where("user_id", "=", userId).where("purpose", "=", "invite").where("used_at", "is", null).execute();
  const token = await issueToken(ctx, userId, "reset");
  return { token, ssoRemoved: sso.removed };
}

export type DetailsProblem = "name_invalid" | "email_invalid" | "email_taken";

/** Checks a name (1-120 characters after trimming). */
export const nameOk = (name: string) => {
  const n = name.trim();
  return n.length >= 1 && n.length <= 120;
};

/** The other account that already uses this (lower-cased) address, if any. */
export async function emailTakenByOther(db: Kysely<DB>, email: string, userId: string): Promise<boolean> {
  const other = await findUserByEmail(db, email);
  return Boolean(other && other.id !== userId);
}

/**
 * The one second-factor reset with its audit entries (the web form and `schakel account
 * reset-second-factor` both call it): deleted factors, password and SSO link, ended sessions, the
 * new link and the audit entries (`account.oidc.unlink` when a link existed, `account.mfa.reset`)
 * commit in one transaction. The caller sends the notice mail after the commit.
 */
export async function resetSecondFactorAudited(ctx: AppContext, who: AuditWho, userId: string, opts: { correlationId?: string } = {}): Promise<string> {
  const by = opts.correlationId ? extend(who, { correlationId: opts.correlationId }) : who;
  return ctx.database.db.transaction().execute(async (trx) => {
    const done = await resetSecondFactor(bound(ctx, trx), userId);
    if (done.ssoRemoved) await audit.recordFor(ctx, by, { action: "account.oidc.unlink", resourceType: "account", resourceId: userId, outcome: "success" }, { db: trx });
    await audit.recordFor(ctx, by, { action: "account.mfa.reset", resourceType: "account", resourceId: userId, outcome: "success" }, { db: trx });
    return done.token;
  });
}

/**
 * Saves a new name and/or address (already validated); returns what changed and the old address.
 * Run it in the caller's transaction with the audit entry. A name change keeps the sessions (the
 * name is read per request). An address change (decision 0050) ends every session of the person
 * (they log in again with the new address) and every unused self-service reset link (it may have
 * been mailed to the old address, which is no longer theirs to recover with).
 */
export async function changeDetails(db: Kysely<DB>, userId: string, next: { displayName: string; email?: string }) {
  const user = await findUser(db, userId);
  if (!user) return null;
  const displayName = next.displayName.trim();
  const email = next.email === undefined ? user.email : next.email.trim().toLowerCase();
  const nameChanged = displayName !== user.display_name;
  const emailChanged = email !== user.email;
  if (nameChanged || emailChanged) await updateUser(db, userId, { display_name: displayName, email });
  let sessionsEnded = 0;
  if (emailChanged) {
    sessionsEnded = await endAllSessions(db, userId);
    await db.updateTable("account_token").set({ used_at: nowIso() }).where("user_id", "=", userId).where("purpose", "=", "reset").where("used_at", "is", null).execute();
  }
  return { nameChanged, emailChanged, sessionsEnded, oldEmail: user.email, language: user.language };
}

/** A notice mail in the account's language only (decision 0035), without a link and without names. */
export async function sendNotice(ctx: AppContext, to: { email: string; language: string }, subject: MessageKey, body: MessageKey): Promise<void> {
  if (!ctx.config.SMTP_URL) return;
  const t = translator(isLocale(to.language) ? (to.language as Locale) : "nl");
  try {
    await (await mailTransport(ctx.config.SMTP_URL)).sendMail({ from: ctx.config.MAIL_FROM, to: to.email, subject: t(subject), text: t(body) });
  } catch (e) {
    // The change is committed and audited; a lost notice must not undo it or fail the page.
    mailFailed("identity.notice", e);
  }
}
