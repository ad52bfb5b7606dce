import { createHash } from "node:crypto";
import { randomBytesPooled } from "../crypto/random";
import * as oidc from "openid-client";
import type { OidcFlowTable } from "../../modules/identity/sso-migrations";
import type { Config } from "../config";
import type { AppContext } from "../context";
import { nowIso } from "../db/values";

/**
 * OpenID Connect relying party (decision 0014). Authorization code flow with PKCE (S256), state
 * and nonce. The browser carries only a random flow token in a short-lived cookie; state, nonce
 * and the PKCE verifier stay in the oidc_flow table, keyed on the token's SHA-256, and a callback
 * consumes the row before anything else (single use). What comes back is the provider's verified
 * (issuer, subject) and whether the ID token's amr/acr says the provider did multi-factor
 * authentication: linking an account to that subject is the identity module's business, and it
 * never looks at an e-mail address.
 */
export const OIDC_FLOW_COOKIE = "__Host-schakel_oidc";
/** Minutes a round trip to the provider may take. */
export const FLOW_MINUTES = 10;
/**
 * The flow cookie must come back on the provider's cross-site redirect to the callback, so it is
 * SameSite=Lax (the session cookie is Strict and is NOT sent there). Secure, HttpOnly, __Host-.
 */
export const flowCookieOptions = { path: "/", secure: true, httpOnly: true, sameSite: "lax", maxAge: FLOW_MINUTES * 60 } as const;

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string | null;
  redirectUri: string;
  /** Where the provider sends the browser after RP-initiated logout (must be registered there). */
  postLogoutRedirectUri: string;
  providerName: string | null;
  mfaAmr: string[];
  mfaAcr: string[];
}

/** Our page after the provider's logout (RP-initiated logout); see OIDC_POST_LOGOUT_REDIRECT_URI. */
export const LOGGED_OUT_PATH = "/logged-out";

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** The single sign-on settings, or null when OIDC is not configured. */
export function oidcSettings(config: Config): OidcSettings | null {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID) return null;
  const redirectUri = config.OIDC_REDIRECT_URI ?? (config.SCHAKEL_PUBLIC_URL ? `${config.SCHAKEL_PUBLIC_URL.replace(/\/+$/, "")}/login/oidc/callback` : null);
  if (!redirectUri) return null;
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET ?? null,
    redirectUri,
    postLogoutRedirectUri: config.OIDC_POST_LOGOUT_REDIRECT_URI ?? new URL(LOGGED_OUT_PATH, config.SCHAKEL_PUBLIC_URL ?? redirectUri).href,
    providerName: config.OIDC_PROVIDER_NAME ?? null,
    mfaAmr: list(config.OIDC_MFA_AMR),
    mfaAcr: list(config.OIDC_MFA_ACR),
  };
}

const discovered = new WeakMap<AppContext, Promise<oidc.Configuration>>();

/** Provider metadata, discovered once per process (a failed discovery is retried next time). */
async function clientConfig(ctx: AppContext, s: OidcSettings): Promise<oidc.Configuration> {
  let p = discovered.get(ctx);
  if (!p) {
    const auth = s.clientSecret ? oidc.ClientSecretBasic(s.clientSecret) : oidc.None();
    // Plain http to the provider ONLY in test mode (the loopback provider of sso.test.ts); never otherwise.
    const insecure = ctx.config.NODE_ENV === "test" && s.issuer.protocol === "http:";
    // ID token signatures are checked against the provider's JWKS even over TLS (ASVS 6.8.2).
    const execute = [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])];
    p = oidc.discovery(s.issuer, s.clientId, s.clientSecret ?? undefined, auth, { timeout: 10, execute });
    discovered.set(ctx, p);
    p.catch(() => discovered.delete(ctx));
  }
  return p;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface FlowStart {
  purpose: OidcFlowTable["purpose"];
  userId?: string | null;
  sessionId?: string | null;
  nextPath?: string | null;
}

/** Starts a round trip: stores state, nonce and verifier; returns the cookie token and the provider URL. */
export async function startOidcFlow(ctx: AppContext, start: FlowStart): Promise<{ token: string; url: URL }> {
  const s = oidcSettings(ctx.config);
  if (!s) throw new Error("OIDC is not configured");
  const config = await clientConfig(ctx, s);
  const db = ctx.database.db;
  const token = randomBytesPooled(32).toString("base64url");
  const flow: OidcFlowTable = {
    id: hashToken(token),
    purpose: start.purpose,
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    code_verifier: oidc.randomPKCECodeVerifier(),
    user_id: start.userId ?? null,
    session_id: start.sessionId ?? null,
    next_path: start.nextPath ?? null,
    created_at: nowIso(),
  };
  await db.deleteFrom("oidc_flow").where("created_at", "<", new Date(Date.now() - FLOW_MINUTES * 60_000).toISOString()).execute();
  await db.insertInto("oidc_flow").values(flow).execute();
  const params: Record<string, string> = {
    redirect_uri: s.redirectUri,
    scope: "openid",
    response_type: "code",
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.code_verifier),
    code_challenge_method: "S256",
  };
  // Linking a subject to an account: the provider must authenticate the person now, not reuse a session.
  if (start.purpose === "link") params.prompt = "login";
  return { token, url: oidc.buildAuthorizationUrl(config, params) };
}

export type FlowFailure = "no_flow" | "expired" | "provider_error" | "rejected";
export type FlowResult =
  | { kind: "ok"; flow: OidcFlowTable; issuer: string; subject: string; mfa: boolean; sid: string | null }
  | { kind: "failed"; reason: FlowFailure; flow: OidcFlowTable | null };

/** Whether the ID token says the provider did multi-factor authentication (amr or acr, per configuration). */
export function mfaByProvider(s: Pick<OidcSettings, "mfaAmr" | "mfaAcr">, claims: { amr?: unknown; acr?: unknown }): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((x): x is string => typeof x === "string") : [];
  if (amr.some((m) => s.mfaAmr.includes(m))) return true;
  return typeof claims.acr === "string" && s.mfaAcr.includes(claims.acr);
}

/**
 * Finishes a round trip from the callback: consumes the flow row (single use), then lets
 * openid-client check state, issuer, PKCE at the token endpoint, and the ID token (signature
 * against the provider's JWKS, audience, expiry, nonce). Any doubt is a failure; the reason is for the audit log only.
 */
export async function finishOidcFlow(ctx: AppContext, token: string | undefined, query: string): Promise<FlowResult> {
  const s = oidcSettings(ctx.config);
  if (!s || !token || token.length > 100) return { kind: "failed", reason: "no_flow", flow: null };
  const db = ctx.database.db;
  const id = hashToken(token);
  const flow = await db.selectFrom("oidc_flow").selectAll().where("id", "=", id).executeTakeFirst();
  if (!flow) return { kind: "failed", reason: "no_flow", flow: null };
  const deleted = await db.deleteFrom("oidc_flow").where("id", "=", id).executeTakeFirst();
  // Two callbacks racing with one cookie: only the one that deleted the row goes on.
  if (Number(deleted.numDeletedRows) !== 1) return { kind: "failed", reason: "no_flow", flow: null };
  if (Date.now() - Date.parse(flow.created_at) > FLOW_MINUTES * 60_000) return { kind: "failed", reason: "expired", flow };
  const current = new URL(s.redirectUri);
  current.search = query;
  if (current.searchParams.has("error")) return { kind: "failed", reason: "provider_error", flow };
  try {
    const config = await clientConfig(ctx, s);
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      pkceCodeVerifier: flow.code_verifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims?.sub || !claims.iss) return { kind: "failed", reason: "rejected", flow };
    // The provider's session id, when it sends one: a back-channel Logout Token may name only that (sso-backchannel.ts).
    const sid = typeof claims.sid === "string" && claims.sid.length > 0 && claims.sid.length <= 255 ? claims.sid : null;
    return { kind: "ok", flow, issuer: claims.iss, subject: claims.sub, mfa: mfaByProvider(s, claims as { amr?: unknown; acr?: unknown }), sid };
  } catch {
    return { kind: "failed", reason: "rejected", flow };
  }
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0, decision 0036): the provider's
 * end_session_endpoint with client_id, post_logout_redirect_uri and the given state. No
 * id_token_hint: Schakel does not keep the ID token, so the provider asks the person to confirm.
 * Null when the provider announces no end_session_endpoint (then logout stays local). Throws
 * when discovery fails; the caller falls back to the local logout.
 */
export async function endSessionUrl(ctx: AppContext, state: string): Promise<URL | null> {
  const s = oidcSettings(ctx.config);
  if (!s) return null;
  const config = await clientConfig(ctx, s);
  if (!config.serverMetadata().end_session_endpoint) return null;
  return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: s.postLogoutRedirectUri, state });
}

/** What a back-channel Logout Token is checked against (sso-backchannel.ts). */
export interface LogoutTokenTrust {
  issuer: string;
  clientId: string;
  jwksUri: URL;
  /** Asymmetric algorithms only: the provider's announced ID token algorithms, or RS256. */
  algorithms: string[];
}

/**
 * The provider's issuer and JWKS URI from discovery (as for ID tokens), and our client_id. Null
 * when SSO is not configured or the provider announces no jwks_uri. The JWKS URI must be https
 * (plain http only in test mode, like discovery). Throws when discovery fails.
 */
export async function logoutTokenTrust(ctx: AppContext): Promise<LogoutTokenTrust | null> {
  const s = oidcSettings(ctx.config);
  if (!s) return null;
  const meta = (await clientConfig(ctx, s)).serverMetadata();
  if (!meta.jwks_uri) return null;
  const jwksUri = new URL(meta.jwks_uri);
  if (jwksUri.protocol !== "https:" && !(ctx.config.NODE_ENV === "test" && jwksUri.protocol === "http:")) return null;
  const announced = (meta.id_token_signing_alg_values_supported ?? []).filter((a) => /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(a));
  return { issuer: meta.issuer, clientId: s.clientId, jwksUri, algorithms: announced.length > 0 ? announced : ["RS256"] };
}
