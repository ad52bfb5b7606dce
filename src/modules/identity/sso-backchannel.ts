import { createHash } from "node:crypto";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { audit, type AuditWho } from "../../platform/audit";
import { logoutTokenTrust } from "../../platform/auth/oidc";
import type { AppContext } from "../../platform/context";
import { nowIso } from "../../platform/db/values";
import { findUserByOidc } from "./store";
import { extend } from "../../platform/objects";

/**
 * OpenID Connect Back-Channel Logout 1.0 (decision 0038): the provider POSTs a Logout Token to
 * /login/oidc/backchannel-logout when a person's session there ends. The token is checked as the
 * specification's section 2.6 says (signature against the provider's JWKS, iss, aud, iat, exp,
 * events, sub and/or sid, no nonce, jti not seen before); then the Schakel sessions that came in
 * through that provider session end: with a sid, the SSO sessions carrying it (session.oidc_sid,
 * recorded at SSO login and kept through rotation); with only a sub, all of the linked account's
 * SSO sessions. Password sessions are not the provider's business.
 */
export const BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/** A Logout Token older than this (by its iat) is refused. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 120;
/** Clock difference allowed with the provider. */
export const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_TOKEN_LENGTH = 8192;

export type LogoutTokenFailure = "malformed" | "unavailable" | "invalid" | "events" | "nonce" | "subject" | "mismatch" | "replayed";

export interface LogoutClaims {
  iss: string;
  sub: string | null;
  sid: string | null;
  jti: string;
  /** Seconds since the epoch after which the token could no longer be accepted (for the jti table). */
  acceptableUntil: number;
}

const keySets = new WeakMap<AppContext, { uri: string; keys: ReturnType<typeof createRemoteJWKSet> }>();

/** The provider's keys, fetched from its jwks_uri and cached per process (refetched for an unknown kid). */
function keysOf(ctx: AppContext, uri: URL) {
  const cached = keySets.get(ctx);
  if (cached?.uri === uri.href) return cached.keys;
  const keys = createRemoteJWKSet(uri, { timeoutDuration: 10_000 });
  keySets.set(ctx, { uri: uri.href, keys });
  return keys;
}

const shortString = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 255;

/** Verifies a Logout Token (without touching the database). The reason is for the log only. */
export async function verifyLogoutToken(ctx: AppContext, token: unknown): Promise<{ ok: true; claims: LogoutClaims } | { ok: false; reason: LogoutTokenFailure }> {
  // A signed JWT (three parts); an encrypted one (five) is not supported.
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || token.split(".").length !== 3) return { ok: false, reason: "malformed" };
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  // Explicit typing (section 2.4): when a typ is given it must be logout+jwt, so an ID token or access token does not pass.
  if (header.typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(String(header.typ))) return { ok: false, reason: "invalid" };
  let trust: Awaited<ReturnType<typeof logoutTokenTrust>>;
  try {
    trust = await logoutTokenTrust(ctx);
  } catch {
    return { ok: false, reason: "unavailable" };
  }
  if (!trust) return { ok: false, reason: "unavailable" };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keysOf(ctx, trust.jwksUri), {
      issuer: trust.issuer,
      audience: trust.clientId,
      algorithms: trust.algorithms,
      maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["iss", "aud", "iat", "exp", "jti", "events"],
    }));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const events = payload.events;
  if (typeof events !== "object" || events === null || Array.isArray(events)) return { ok: false, reason: "events" };
  const event = (events as Record<string, unknown>)[BACKCHANNEL_EVENT];
  if (typeof event !== "object" || event === null || Array.isArray(event)) return { ok: false, reason: "events" };
  if ("nonce" in payload) return { ok: false, reason: "nonce" };
  const sub = payload.sub === undefined ? null : payload.sub;
  const sid = payload.sid === undefined ? null : payload.sid;
  if ((sub !== null && !shortString(sub)) || (sid !== null && !shortString(sid)) || (sub === null && sid === null)) return { ok: false, reason: "subject" };
  if (!shortString(payload.jti)) return { ok: false, reason: "invalid" };
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  const acceptableUntil = Math.max(exp, iat + LOGOUT_TOKEN_MAX_AGE_SECONDS) + CLOCK_TOLERANCE_SECONDS;
  return { ok: true, claims: { iss: trust.issuer, sub, sid, jti: payload.jti, acceptableUntil } };
}

const jtiId = (iss: string, jti: string) => createHash("sha256").update(`${iss}\n${jti}`).digest("hex");

export type BackchannelResult = { ok: true; userId: string | null; ended: number } | { ok: false; reason: LogoutTokenFailure };

/**
 * The whole back-channel logout after parsing: verify, refuse a jti seen before, then in ONE
 * transaction record the jti, end the named SSO sessions and write the audit entry (actor none,
 * resource the account). A refused token is audited as a failure (no token content).
 */
export async function backchannelLogout(ctx: AppContext, who: AuditWho, token: unknown): Promise<BackchannelResult> {
  const db = ctx.database.db;
  const fail = async (reason: LogoutTokenFailure): Promise<BackchannelResult> => {
    await audit.recordFor(ctx, extend(who, { actor: null, userId: null }), { action: "logout.backchannel", resourceType: "account", resourceId: null, outcome: "failure" });
    return { ok: false, reason };
  };
  const verified = await verifyLogoutToken(ctx, token);
  if (!verified.ok) return fail(verified.reason);
  const c = verified.claims;
  const id = jtiId(c.iss, c.jti);
  await db.deleteFrom("oidc_logout_jti").where("expires_at", "<", nowIso()).execute();
  if (await db.selectFrom("oidc_logout_jti").select("id").where("id", "=", id).executeTakeFirst()) return fail("replayed");
  const target = await accountOf(ctx, c);
  if (!target) return fail("mismatch");
  const account = target.account;
  try {
    const ended = await db.transaction().execute(async (trx) => {
      await trx.insertInto("oidc_logout_jti").values({ id, expires_at: new Date(c.acceptableUntil * 1000).toISOString() }).execute();
      let n = 0;
      if (account) {
        let q = trx.deleteFrom("session").where("user_id", "=", account).where("auth_method", "=", "oidc");
        // With a sid: that provider session's SSO sessions only, and those whose provider session
        // is unknown (no sid in their ID token, or made before sids were kept per session).
        // The sid is matched on the rows themselves, so a session rotated meanwhile is still found.
        const sid = c.sid;
        if (sid !== null) q = q.where((eb) => eb.or([eb("oidc_sid", "=", sid), eb("oidc_sid", "is", null)]));
        const r = await q.executeTakeFirst();
        n = Number(r.numDeletedRows ?? 0);
      }
      // Actor none (the provider, not a person): actor_id stays empty; the account is the resource.
      await audit.recordFor(ctx, extend(who, { actor: null, userId: null }), { action: "logout.backchannel", resourceType: "account", resourceId: account, outcome: "success" }, { db: trx });
      return n;
    });
    return { ok: true, userId: account, ended };
  } catch (e) {
    // The same token delivered twice at once: the other delivery committed its jti first.
    if (await db.selectFrom("oidc_logout_jti").select("id").where("id", "=", id).executeTakeFirst()) return fail("replayed");
    throw e;
  }
}

/**
 * The account the token names (null: none, nothing to end), or null as a whole when its sub and
 * sid name different accounts (refused). By (issuer, sub) when it has a sub (the link, decision
 * 0014); with only a sid, the account of a live SSO session carrying that sid, while that account
 * is still linked to this provider. A sid that matches no live session names no account.
 */
async function accountOf(ctx: AppContext, c: LogoutClaims): Promise<{ account: string | null } | null> {
  const db = ctx.database.db;
  const linked = c.sub ? ((await findUserByOidc(db, c.iss, c.sub))?.id ?? null) : null;
  if (c.sid === null) return { account: linked };
  const holder = await db
    .selectFrom("session")
    .innerJoin("app_user", "app_user.id", "session.user_id")
    .select("session.user_id")
    .where("session.oidc_sid", "=", c.sid)
    .where("session.auth_method", "=", "oidc")
    .where("app_user.oidc_issuer", "=", c.iss)
    .executeTakeFirst();
  const bySid = holder?.user_id ?? null;
  if (c.sub === null) return { account: bySid };
  // Both given: a session of this sid must belong to the account linked to this sub.
  if (bySid !== null && bySid !== linked) return null;
  return { account: linked };
}
