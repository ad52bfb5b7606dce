import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import http, { type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { SignJWT } from "jose";
import Provider from "oidc-provider";
import { BACKCHANNEL_EVENT } from "../../src/modules/identity/sso-backchannel";
import { BACKCHANNEL_LOGOUT_PATH } from "../../src/modules/identity/sso-backchannel.routes";
import { updateUser } from "../../src/modules/identity/store";
import type { DialectName } from "../../src/platform/db";
import { buildApp } from "../../src/platform/web/app";
import { CookieJar, createUser, csrfFromHtml, type TestUser } from "./auth";
import { openTestContext, type TestContext } from "./db";

/**
 * A REAL OpenID provider (oidc-provider 9) on a loopback port, for the single sign-on tests
 * (src/modules/identity/sso.test.ts, sso-logout.test.ts). Its login interaction is completed
 * programmatically: the test decides which subject logs in and which amr/acr the provider
 * reports; consent is pre-granted. The provider speaks plain http, which the app accepts only
 * because NODE_ENV=test (see src/platform/auth/oidc.ts).
 */
export const REDIRECT = "https://schakel.test/login/oidc/callback";
export const POST_LOGOUT = "https://schakel.test/logged-out";
export const CLIENT_SECRET = "schakel-test-secret-0123456789";
export const FORM = { "content-type": "application/x-www-form-urlencoded" };

export interface NextLogin {
  sub: string;
  amr?: string[];
  acr?: string;
  email?: string;
  /** Alter the ID token's signature on its way from the provider's token endpoint. */
  forgeSignature?: boolean;
}

/** The app's settings for this provider (openTestContext overrides). */
export const appSettings = (issuer: string) => ({
  OIDC_ISSUER: issuer,
  OIDC_CLIENT_ID: "schakel",
  OIDC_CLIENT_SECRET: CLIENT_SECRET,
  OIDC_REDIRECT_URI: REDIRECT,
  OIDC_PROVIDER_NAME: "Test-IdP",
  SCHAKEL_PUBLIC_URL: "https://schakel.test",
});

/**
 * The provider's signing key (RS256), made once per test process: tests sign their own Logout
 * Tokens with it (sso-backchannel.test.ts) and the provider signs its tokens with it.
 */
const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const PROVIDER_KID = "test-provider-key";
export const providerSigningKey: KeyObject = signing.privateKey;

export interface TestProvider {
  issuer: string;
  /** Back-channel logout deliveries the provider could not complete (our endpoint did not answer 200). */
  backchannelErrors: () => string[];
  /** How many times the provider asked for credentials (its login interaction ran). */
  interactions: () => number;
  close: () => Promise<void>;
}

/**
 * Starts the provider. rpLogout: false switches off RP-initiated logout (no end_session_endpoint);
 * redirect/postLogout: the client's registered URIs (default REDIRECT and POST_LOGOUT);
 * backchannelLogoutUri: switches on back-channel logout with this registered URI (sid required).
 */
export async function startProvider(
  next: { current: NextLogin },
  opts: { rpLogout?: boolean; redirect?: string; postLogout?: string; backchannelLogoutUri?: string } = {},
): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let interactions = 0;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "schakel",
        client_secret: CLIENT_SECRET,
        redirect_uris: [opts.redirect ?? REDIRECT],
        post_logout_redirect_uris: [opts.postLogout ?? POST_LOGOUT],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
        ...(opts.backchannelLogoutUri ? { backchannel_logout_uri: opts.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      },
    ],
    jwks: { keys: [{ ...signing.privateKey.export({ format: "jwk" }), kid: PROVIDER_KID, alg: "RS256", use: "sig" }] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: opts.rpLogout !== false },
      backchannelLogout: { enabled: Boolean(opts.backchannelLogoutUri) },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Like many real providers: an e-mail (claimed verified) in every ID token. Schakel must ignore it.
    // amr/acr are not in oidc-provider's default ID token: like Entra ID or Keycloak, this one always sends them.
    claims: { acr: null, amr: null, auth_time: null, iss: null, sid: null, openid: ["sub", "acr", "amr", "email", "email_verified"] },
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, ...(next.current.email ? { email: next.current.email, email_verified: true } : {}) }),
    }),
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid");
      await grant.save();
      return grant;
    },
    cookies: { keys: ["sso-test-cookie-key-0123456789"] },
    // The provider's outgoing calls (back-channel logout) refuse loopback addresses (its SSRF
    // protection, a dispatcher it passes in); the app under test listens on loopback, so the test
    // provider fetches without that dispatcher.
    fetch: (url, options) => {
      const { dispatcher: _ssrf, ...init } = options;
      return globalThis.fetch(url, init);
    },
  });
  const backchannelErrors: string[] = [];
  provider.on("backchannel.error", (_ctx, err) => backchannelErrors.push(`${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? "")}`.trim()));
  const handle = provider.callback();
  server.on("request", (req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interactions++;
      const { sub, amr, acr } = next.current;
      provider.interactionFinished(req, res, { login: { accountId: sub, amr, acr } }, { mergeWithLastSubmission: false }).catch((e: Error) => {
        res.statusCode = 500;
        res.end(e.message);
      });
      return;
    }
    if (req.url?.startsWith("/token") && next.current.forgeSignature) {
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => {
        const body = JSON.parse(String(chunk));
        if (body.id_token) {
          const sig = body.id_token.slice(-4);
          body.id_token = body.id_token.slice(0, -4) + (sig === "AAAA" ? "BBBB" : "AAAA"); // same length
        }
        return end(JSON.stringify(body));
      }) as typeof res.end;
    }
    handle(req, res);
  });
  return { issuer, interactions: () => interactions, backchannelErrors: () => backchannelErrors, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A browser's cookies at the provider (its session). One per test browser: a second login with
 * the same jar reuses the provider's session instead of asking for credentials again.
 */
export class ProviderJar {
  private readonly jar = new Map<string, string>();
  header() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0];
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  get size() {
    return this.jar.size;
  }
}

/** Follows the provider's redirects (with its own cookies) until it sends the browser to a URL starting with `until`. */
export async function followAtProvider(start: string, until: string, jar = new ProviderJar(), init: RequestInit = {}): Promise<URL> {
  let url = start;
  let request = init;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { ...request, redirect: "manual", headers: { ...(request.headers as Record<string, string>), cookie: jar.header() } });
    request = {};
    jar.take(res);
    const location = res.headers.get("location");
    if (!location) throw new Error(`provider stopped with ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const next = new URL(location, url);
    if (next.href.startsWith(until)) return next;
    url = next.href;
  }
  throw new Error("too many redirects at the provider");
}

/** Follows the provider's redirects until it sends the browser to our callback. */
export const throughProvider = (authorizationUrl: string, jar = new ProviderJar()) => followAtProvider(authorizationUrl, REDIRECT, jar);

/**
 * At the provider's end-session URL: its confirmation page ("Do you want to sign-out?"), then the
 * person's answer (yes: the provider session ends), then the redirect back to our post-logout URL.
 */
export async function logoutAtProvider(endSessionUrl: string, jar: ProviderJar, answer: "yes" | "no" = "yes"): Promise<URL> {
  const page = await fetch(endSessionUrl, { redirect: "manual", headers: { cookie: jar.header() } });
  jar.take(page);
  const html = await page.text();
  const action = /<form id="op\.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action || !xsrf) throw new Error(`no logout confirmation at the provider (${page.status}): ${html.slice(0, 300)}`);
  const body = new URLSearchParams({ xsrf, ...(answer === "yes" ? { logout: "yes" } : {}) }).toString();
  return followAtProvider(new URL(action, endSessionUrl).href, POST_LOGOUT, jar, { method: "POST", headers: FORM, body });
}

/**
 * The provider URL a response sends the browser to: a 200 page with a Refresh header and a link
 * (not a 303: the CSP's form-action 'self' would block a redirect after our form POST).
 */
export function providerUrlOf(res: { statusCode: number; headers: Record<string, unknown>; body: string }): string {
  if (res.statusCode !== 200) throw new Error(`expected the page on the way to the provider, got ${res.statusCode}`);
  const refresh = String(res.headers.refresh ?? "");
  if (!refresh.startsWith("0;url=")) throw new Error(`no Refresh header to the provider: ${refresh}`);
  const url = refresh.slice("0;url=".length);
  if (!res.body.includes(`id="sso-leave"`) || !res.body.includes(`href="${url.replaceAll("&", "&amp;")}"`)) throw new Error("the page has no link to the provider");
  return url;
}

/**
 * A provider, a fresh test database of `dialect` configured for it, and the app on that database:
 * the setup of the SSO test files (`beforeAll(async () => ({ op, ctx, app } = await startProviderApp(...)))`).
 */
export async function startProviderApp(
  dialect: DialectName,
  next: { current: NextLogin },
  opts: Parameters<typeof startProvider>[1] = {},
): Promise<{ op: TestProvider; ctx: TestContext; app: FastifyInstance }> {
  const op = await startProvider(next, opts);
  const ctx = await openTestContext(dialect, appSettings(op.issuer));
  const app = await buildApp(ctx, { logger: false });
  return { op, ctx, app };
}

/** Closes what startProviderApp started (any of them may be missing when the setup failed). */
export async function stopProviderApp(s: { op?: TestProvider; ctx?: TestContext; app?: FastifyInstance }): Promise<void> {
  await s.app?.close();
  await s.ctx?.close();
  await s.op?.close();
}

/**
 * The back-channel logout test setup (sso-backchannel*.test.ts): a provider with back-channel logout
 * switched on, calling the app over HTTP on a loopback socket whose requests go to the app's own
 * server handler, and the steps those tests share.
 */
export interface BackchannelSetup {
  op: TestProvider;
  ctx: TestContext;
  app: FastifyInstance;
  /** An account linked to the provider's subject `sub`. */
  linkedUser(sub: string): Promise<TestUser>;
  /**
   * An SSO login of `sub` in a browser whose provider cookies are `provider` (its provider session:
   * a new jar is a new provider session, so a new sid). amr defaults to ["mfa"] (the provider did
   * the second factor); without it the session stops at Schakel's TOTP step (/login/mfa).
   */
  ssoLogin(sub: string, opts?: { provider?: ProviderJar; amr?: string[] }): Promise<{ jar: CookieJar; provider: ProviderJar }>;
  /** A Logout Token as the provider would sign it; `claims` overrides (undefined removes a claim). */
  logoutToken(claims: Record<string, unknown>, key?: KeyObject): Promise<string>;
  /** POSTs a Logout Token to the back-channel endpoint as the provider does. */
  deliver(token: string): Promise<LightMyRequestResponse>;
  /** GET /api/v1/me with a browser's cookies (200 while its session lives, 401 after). */
  me(jar: CookieJar): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startBackchannelApp(dialect: DialectName): Promise<BackchannelSetup> {
  const next: { current: NextLogin } = { current: { sub: "nobody" } };
  const front = http.createServer();
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const uri = `http://127.0.0.1:${(front.address() as AddressInfo).port}${BACKCHANNEL_LOGOUT_PATH}`;
  const started: Partial<{ op: TestProvider; ctx: TestContext; app: FastifyInstance }> = {};
  const close = async () => {
    await new Promise<void>((r) => front.close(() => r()));
    await stopProviderApp(started);
  };
  try {
    Object.assign(started, await startProviderApp(dialect, next, { backchannelLogoutUri: uri }));
  } catch (e) {
    await close();
    throw e;
  }
  const { op, ctx, app } = started as Required<typeof started>;
  await app.ready();
  front.on("request", (req, res) => app.server.emit("request", req, res));
  const now = () => Math.floor(Date.now() / 1000);
  return {
    op,
    ctx,
    app,
    close,
    async linkedUser(sub) {
      const user = await createUser(ctx);
      await updateUser(ctx.database.db, user.id, { oidc_issuer: op.issuer, oidc_subject: sub });
      return user;
    },
    async ssoLogin(sub, opts = {}) {
      const provider = opts.provider ?? new ProviderJar();
      const amr = opts.amr ?? ["mfa"];
      next.current = { sub, amr };
      const jar = new CookieJar();
      const page = await app.inject({ method: "GET", url: "/login" });
      jar.take(page);
      const body = new URLSearchParams({ _csrf: csrfFromHtml(page.body), next: "/account" }).toString();
      const start = await app.inject({ method: "POST", url: "/login/oidc", headers: { cookie: jar.header(), ...FORM }, payload: body });
      jar.take(start);
      const at = await throughProvider(providerUrlOf(start), provider);
      const res = await app.inject({ method: "GET", url: `/login/oidc/callback${at.search}`, headers: { cookie: jar.header() } });
      jar.take(res);
      const expected = amr.includes("mfa") ? "0;url=/account" : "0;url=/login/mfa";
      if (res.headers.refresh !== expected) throw new Error(`SSO login ended with ${res.statusCode} ${String(res.headers.refresh)}`);
      return { jar, provider };
    },
    logoutToken(claims, key = providerSigningKey) {
      const base: Record<string, unknown> = { iss: op.issuer, aud: "schakel", iat: now(), exp: now() + 120, jti: randomUUID(), events: { [BACKCHANNEL_EVENT]: {} }, ...claims };
      for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
      return new SignJWT(base).setProtectedHeader({ alg: "RS256", kid: PROVIDER_KID, typ: "logout+jwt" }).sign(key);
    },
    deliver: (token) => app.inject({ method: "POST", url: BACKCHANNEL_LOGOUT_PATH, headers: FORM, payload: new URLSearchParams({ logout_token: token }).toString() }),
    me: (jar) => app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } }),
  };
}
