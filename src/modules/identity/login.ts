import type { AppContext } from "../../platform/context";
import { audit, type AuditWho } from "../../platform/audit";
import { verifyPassword } from "../../platform/auth/password";
import { createSession, endAllSessions, rotateSession, type SessionRow } from "../../platform/auth/session";
import { accountKey, addressKey, clearFailures, recordFailure, waitSeconds } from "../../platform/auth/throttle";
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpQrDataUrl, totpUri } from "../../platform/auth/totp";
import { keyringFor } from "../../platform/crypto/keyring";
import { newId, nowIso } from "../../platform/db/values";
import { findUser, findUserByEmail, updateUser, type UserRow } from "./store";
import { extend } from "../../platform/objects";

/**
 * The login use cases: password, then second factor (or enrolment when the account has none yet).
 * Messages to the user stay generic; the audit log gets every success and failure.
 */
export type StepResult =
  | { kind: "throttled"; waitSeconds: number }
  | { kind: "invalid" }
  | { kind: "ok"; token: string; session: SessionRow };

const totpPlace = (userId: string) => ({ table: "app_user", column: "totp_secret", rowId: userId });
const pendingPlace = (userId: string) => ({ table: "session", column: "pending_totp", rowId: userId });

export async function passwordStep(
  ctx: AppContext,
  who: AuditWho,
  input: { email: string; password: string; next: string | null },
): Promise<StepResult> {
  const db = ctx.database.db;
  const keys = [accountKey(input.email), addressKey(who.clientAddress ?? "unknown")];
  const wait = await waitSeconds(db, keys);
  const user = input.email.length <= 254 && input.password.length <= 1024 ? await findUserByEmail(db, input.email) : undefined;
  if (wait > 0) {
    await audit.recordFor(ctx, extend(who, { userId: user?.id ?? null }), { action: "login.password", resourceType: "account", resourceId: user?.id ?? null, outcome: "denied" });
    return { kind: "throttled", waitSeconds: wait };
  }
  const passwordOk = await verifyPassword(user?.password_hash ?? null, input.password.slice(0, 1024));
  if (!user || !passwordOk || user.status !== "active") {
    await recordFailure(db, keys);
    await audit.recordFor(ctx, extend(who, { userId: user?.id ?? null }), { action: "login.password", resourceType: "account", resourceId: user?.id ?? null, outcome: "failure" });
    return { kind: "invalid" };
  }
  const stage = user.totp_secret ? "mfa" : "enrol";
  const created = await createSession(db, user.id, stage, "password", input.next);
  await audit.recordFor(ctx, extend(who, { userId: user.id }), { action: "login.password", resourceType: "account", resourceId: user.id, outcome: "success" });
  return { kind: "ok", ...created };
}

export async function totpSecretOf(ctx: AppContext, user: UserRow): Promise<string | null> {
  if (!user.totp_secret) return null;
  return (await keyringFor(ctx)).decrypt(totpPlace(user.id), user.totp_secret);
}

/** Second step: a TOTP code (each time step once) or an unused recovery code. */
export async function secondFactorStep(ctx: AppContext, who: AuditWho, session: SessionRow, code: string): Promise<StepResult> {
  const db = ctx.database.db;
  const user = await findUser(db, session.user_id);
  if (user?.status !== "active" || session.stage !== "mfa") return { kind: "invalid" };
  const keys = [accountKey(user.email), addressKey(who.clientAddress ?? "unknown")];
  const wait = await waitSeconds(db, keys);
  if (wait > 0) {
    await audit.recordFor(ctx, extend(who, { userId: user.id }), { action: "login.mfa", resourceType: "account", resourceId: user.id, outcome: "denied" });
    return { kind: "throttled", waitSeconds: wait };
  }
  let ok = false;
  const secret = await totpSecretOf(ctx, user);
  const step = secret ? await checkTotp(secret, code, user.totp_last_step) : null;
  if (step !== null) {
    // Conditional update: two requests racing with the same code cannot both win.
    const r = await db
      .updateTable("app_user")
      .set({ totp_last_step: step })
      .where("id", "=", user.id)
      .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
      .executeTakeFirst();
    ok = Number(r.numUpdatedRows) === 1;
  } else if (code.trim().length >= 12) {
    const r = await db
      .updateTable("recovery_code")
      .set({ used_at: nowIso() })
      .where("user_id", "=", user.id)
      .where("code_hash", "=", hashRecoveryCode(code))
      .where("used_at", "is", null)
      .executeTakeFirst();
    ok = Number(r.numUpdatedRows) === 1;
  }
  if (!ok) {
    await recordFailure(db, keys);
    await audit.recordFor(ctx, extend(who, { userId: user.id }), { action: "login.mfa", resourceType: "account", resourceId: user.id, outcome: "failure" });
    return { kind: "invalid" };
  }
  await clearFailures(db, [keys[0]]);
  const rotated = await rotateSession(db, session, { stage: "full", reauth_at: nowIso() });
  await audit.recordFor(ctx, extend(who, { userId: user.id }), { action: "login.mfa", resourceType: "account", resourceId: user.id, outcome: "success" });
  return { kind: "ok", ...rotated };
}

/** Starts (or restarts) TOTP enrolment: a new secret kept encrypted on the session until confirmed. */
export async function startEnrolment(ctx: AppContext, session: SessionRow): Promise<{ secret: string; uri: string; qr: string }> {
  const user = await findUser(ctx.database.db, session.user_id);
  if (!user) throw new Error("session without account");
  const keyring = await keyringFor(ctx);
  let secret = session.pending_totp ? keyring.decrypt(pendingPlace(user.id), session.pending_totp) : null;
  if (!secret) {
    secret = newTotpSecret();
    await ctx.database.db.updateTable("session").set({ pending_totp: keyring.encrypt(pendingPlace(user.id), secret) }).where("id", "=", session.id).execute();
  }
  const uri = totpUri(secret, user.email);
  return { secret, uri, qr: await totpQrDataUrl(uri) };
}

/** Confirms enrolment with a first code; stores the secret and returns 10 fresh recovery codes (shown once). */
export async function finishEnrolment(
  ctx: AppContext,
  who: AuditWho,
  session: SessionRow,
  code: string,
): Promise<{ kind: "invalid" } | { kind: "ok"; token: string; session: SessionRow; recoveryCodes: string[] }> {
  const db = ctx.database.db;
  const keyring = await keyringFor(ctx);
  if (!session.pending_totp) return { kind: "invalid" };
  const secret = keyring.decrypt(pendingPlace(session.user_id), session.pending_totp);
  const step = await checkTotp(secret, code, null);
  if (step === null) {
    await audit.recordFor(ctx, extend(who, { userId: session.user_id }), { action: "mfa.enrol", resourceType: "account", resourceId: session.user_id, outcome: "failure" });
    return { kind: "invalid" };
  }
  const codes = newRecoveryCodes();
  const rotated = await db.transaction().execute(async (trx) => {
    await updateUser(trx, session.user_id, { totp_secret: keyring.encrypt(totpPlace(session.user_id), secret), totp_last_step: step });
    await trx.deleteFrom("recovery_code").where("user_id", "=", session.user_id).execute();
    await trx.insertInto("recovery_code").values(codes.map((c) => ({ id: newId(), user_id: session.user_id, code_hash: hashRecoveryCode(c), used_at: null }))).execute();
    await trx.updateTable("session").set({ pending_totp: null }).where("id", "=", session.id).execute();
    // A new second factor: other sessions end, this one gets a new id and is now fully logged in;
    // all of it commits with its audit entry or not at all.
    await endAllSessions(trx, session.user_id, session.id);
    const r = await rotateSession(trx, extend(session, { pending_totp: null }), { stage: "full", reauth_at: nowIso() });
    await audit.recordFor(ctx, extend(who, { userId: session.user_id }), { action: "mfa.enrol", resourceType: "account", resourceId: session.user_id, outcome: "success" }, { db: trx });
    return r;
  });
  return { kind: "ok", ...rotated, recoveryCodes: codes };
}

export async function unusedRecoveryCodes(ctx: AppContext, userId: string): Promise<number> {
  const rows = await ctx.database.db.selectFrom("recovery_code").select("id").where("user_id", "=", userId).where("used_at", "is", null).execute();
  return rows.length;
}
