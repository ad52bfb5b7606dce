import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { SignJWT } from "jose";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, login } from "../../../test/support/auth";
import { activeDialects, type TestContext } from "../../../test/support/db";
import {
  FORM,
  logoutAtProvider,
  type NextLogin,
  POST_LOGOUT,
  PROVIDER_KID,
  ProviderJar,
  providerSigningKey,
  providerUrlOf,
  startProviderApp,
  stopProviderApp,
  type TestProvider,
  throughProvider,
} from "../../../test/support/oidc-provider";
import { BACKCHANNEL_EVENT } from "./sso-backchannel";
import { BACKCHANNEL_LOGOUT_PATH } from "./sso-backchannel.routes";
import { updateUser } from "./store";

/**
 * OpenID Connect Back-Channel Logout 1.0 (decision 0038) against a REAL oidc-provider that calls
 * the app over HTTP on a loopback port: a session ended at the provider ends the account's SSO
 * sessions in Schakel; a Logout Token that fails any check of the specification's section 2.6
 * is refused with 400 and ends nothing; password sessions are never touched.
 */
const otherKey: KeyObject = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

for (const dialect of activeDialects()) {
  describe(`back-channel logout from the OpenID provider [${dialect}]`, () => {
    const next: { current: NextLogin } = { current: { sub: "nobody" } };
    let op: TestProvider;
    let ctx: TestContext;
    let app: FastifyInstance;
    let front: http.Server;

    beforeAll(async () => {
      // The provider must reach the app over HTTP: a loopback socket whose requests go to the app's own server handler.
      front = http.createServer();
      await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
      const uri = `http://127.0.0.1:${(front.address() as AddressInfo).port}${BACKCHANNEL_LOGOUT_PATH}`;
      ({ op, ctx, app } = await startProviderApp(dialect, next, { backchannelLogoutUri: uri }));
      await app.ready();
      front.on("request", (req, res) => app.server.emit("request", req, res));
    }, 60_000);
    afterAll(async () => {
      await new Promise<void>((r) => front?.close(() => r()));
      await stopProviderApp({ op, ctx, app });
    });

    const db = () => ctx.database.db;
    const me = (jar: CookieJar) => app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } });

    async function linkedUser(sub: string) {
      const user = await createUser(ctx);
      await updateUser(db(), user.id, { oidc_issuer: op.issuer, oidc_subject: sub });
      return user;
    }

    async function ssoLogin(sub: string, provider = new ProviderJar()) {
      next.current = { sub, amr: ["mfa"] };
      const jar = new CookieJar();
      const page = await app.inject({ method: "GET", url: "/login" });
      jar.take(page);
      const start = await app.inject({ method: "POST", url: "/login/oidc", headers: { cookie: jar.header(), ...FORM }, payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), next: "/account" }).toString() });
      jar.take(start);
      const at = await throughProvider(providerUrlOf(start), provider);
      const res = await app.inject({ method: "GET", url: `/login/oidc/callback${at.search}`, headers: { cookie: jar.header() } });
      jar.take(res);
      expect(res.headers.refresh).toBe("0;url=/account");
      return { jar, provider };
    }

    const sessionsOf = async (userId: string) => (await db().selectFrom("session").select("auth_method").where("user_id", "=", userId).orderBy("auth_method").execute()).map((s) => s.auth_method);
    const backchannelAudits = async () =>
      db().selectFrom("audit_entry").select(["actor_id", "resource_id", "outcome"]).where("action", "=", "logout.backchannel").orderBy("seq").execute();

    const now = () => Math.floor(Date.now() / 1000);
    /** A Logout Token as the provider would sign it; `claims` overrides (undefined removes a claim). */
    async function logoutToken(claims: Record<string, unknown>, key: KeyObject = providerSigningKey) {
      const base: Record<string, unknown> = { iss: op.issuer, aud: "schakel", iat: now(), exp: now() + 120, jti: randomUUID(), events: { [BACKCHANNEL_EVENT]: {} }, ...claims };
      for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
      return new SignJWT(base).setProtectedHeader({ alg: "RS256", kid: PROVIDER_KID, typ: "logout+jwt" }).sign(key);
    }
    const deliver = (token: string) => app.inject({ method: "POST", url: BACKCHANNEL_LOGOUT_PATH, headers: FORM, payload: new URLSearchParams({ logout_token: token }).toString() });

    it("ending the session at the provider ends the account's SSO sessions in Schakel (audited, actor none); its password session stays", async () => {
      const user = await linkedUser("sub-bc");
      const sso = await ssoLogin("sub-bc");
      const otherBrowser = await ssoLogin("sub-bc");
      const password = await login(app, user);
      expect(await sessionsOf(user.id)).toEqual(["oidc", "oidc", "password"]);
      // The ID token's sid was recorded with the account (a Logout Token may name only the sid).
      const sids = await db().selectFrom("oidc_sid").select(["issuer", "user_id"]).where("user_id", "=", user.id).execute();
      expect(sids.length).toBe(2);
      expect(sids[0].issuer).toBe(op.issuer);
      const discovery = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
      expect(discovery.backchannel_logout_supported).toBe(true);

      // Provider-initiated: the person logs out at the provider (not through Schakel), and confirms.
      const end = `${op.issuer}/session/end?client_id=schakel&post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT)}`;
      await logoutAtProvider(end, sso.provider, "yes");
      expect(op.backchannelErrors()).toEqual([]);

      expect((await me(sso.jar)).statusCode).toBe(401);
      const account = await app.inject({ method: "GET", url: "/account", headers: { cookie: sso.jar.header() } });
      expect(account.statusCode).toBe(303);
      expect(String(account.headers.location)).toMatch(/^\/login/);
      expect((await me(otherBrowser.jar)).statusCode).toBe(401);
      expect((await me(password.jar)).statusCode).toBe(200);
      expect(await sessionsOf(user.id)).toEqual(["password"]);
      expect(await db().selectFrom("oidc_sid").select("sid").where("user_id", "=", user.id).execute()).toEqual([]);
      expect((await backchannelAudits()).filter((a) => a.resource_id === user.id)).toEqual([{ actor_id: null, resource_id: user.id, outcome: "success" }]);
    });

    it("a valid token answers 200 with Cache-Control: no-store, without Schakel's CSRF token or any cookie; other POST routes still need the CSRF token", async () => {
      const user = await linkedUser("sub-direct");
      const { jar } = await ssoLogin("sub-direct");
      const res = await deliver(await logoutToken({ sub: "sub-direct" }));
      expect(res.statusCode).toBe(200);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect((await me(jar)).statusCode).toBe(401);
      expect(await sessionsOf(user.id)).toEqual([]);
      // The exemption is this route only: logout without the CSRF token is still refused.
      const again = await ssoLogin("sub-direct");
      const logout = await app.inject({ method: "POST", url: "/logout", headers: { cookie: again.jar.header(), ...FORM }, payload: "" });
      expect(logout.statusCode).toBe(403);
      expect((await me(again.jar)).statusCode).toBe(200);
    });

    it("a token naming only the provider's sid ends that account's SSO sessions", async () => {
      const user = await linkedUser("sub-sid");
      const { jar } = await ssoLogin("sub-sid");
      const row = await db().selectFrom("oidc_sid").select("sid").where("user_id", "=", user.id).executeTakeFirstOrThrow();
      const res = await deliver(await logoutToken({ sid: row.sid }));
      expect(res.statusCode).toBe(200);
      expect((await me(jar)).statusCode).toBe(401);
      // An unknown sid: the token is valid, nothing to end.
      const unknown = await deliver(await logoutToken({ sid: "no-such-sid" }));
      expect(unknown.statusCode).toBe(200);
    });

    const refusals: [string, () => Promise<string>][] = [
      ["signed by another key (same kid)", () => logoutToken({ sub: "sub-refused" }, otherKey)],
      ["for another audience", () => logoutToken({ sub: "sub-refused", aud: "someone-else" })],
      ["from another issuer", () => logoutToken({ sub: "sub-refused", iss: "http://127.0.0.1:1" })],
      ["without the events claim", () => logoutToken({ sub: "sub-refused", events: undefined })],
      ["with events but not the back-channel logout event", () => logoutToken({ sub: "sub-refused", events: { "http://schemas.openid.net/event/other": {} } })],
      ["with a nonce", () => logoutToken({ sub: "sub-refused", nonce: "n-0123456789" })],
      ["with neither sub nor sid", () => logoutToken({})],
      ["issued too long ago (iat)", () => logoutToken({ sub: "sub-refused", iat: now() - 600, exp: now() + 60 })],
      ["expired (exp)", () => logoutToken({ sub: "sub-refused", iat: now() - 100, exp: now() - 60 })],
      ["without a jti", () => logoutToken({ sub: "sub-refused", jti: undefined })],
      ["not a JWT", async () => "not-a-token"],
    ];

    it("refuses every token that fails a check with 400 and a JSON error; sessions untouched, audited as failure without token content", async () => {
      const user = await linkedUser("sub-refused");
      const { jar } = await ssoLogin("sub-refused");
      const password = await login(app, user);
      const before = (await backchannelAudits()).length;
      for (const [name, make] of refusals) {
        const token = await make();
        const res = await deliver(token);
        expect(res.statusCode, name).toBe(400);
        expect(res.headers["cache-control"], name).toBe("no-store");
        expect(res.json().error, name).toBe("invalid_request");
        expect(res.body, name).not.toContain(token);
      }
      const missing = await app.inject({ method: "POST", url: BACKCHANNEL_LOGOUT_PATH, headers: FORM, payload: "" });
      expect(missing.statusCode).toBe(400);
      expect((await me(jar)).statusCode).toBe(200);
      expect((await me(password.jar)).statusCode).toBe(200);
      expect(await sessionsOf(user.id)).toEqual(["oidc", "password"]);
      const audits = (await backchannelAudits()).slice(before);
      expect(audits.length).toBe(refusals.length + 1);
      for (const a of audits) expect(a).toEqual({ actor_id: null, resource_id: null, outcome: "failure" });
    });

    it("refuses a replayed token (same jti): the second delivery ends nothing", async () => {
      const user = await linkedUser("sub-replay");
      await ssoLogin("sub-replay");
      const token = await logoutToken({ sub: "sub-replay" });
      expect((await deliver(token)).statusCode).toBe(200);
      expect(await sessionsOf(user.id)).toEqual([]);
      const { jar } = await ssoLogin("sub-replay");
      const replay = await deliver(token);
      expect(replay.statusCode).toBe(400);
      expect(replay.json().error_description).toBe("logout_token was already used");
      expect((await me(jar)).statusCode).toBe(200);
    });

    it("the sessions' end, the jti and the audit entry commit together: a refused audit insert ends nothing and the provider may deliver again", async () => {
      const user = await linkedUser("sub-atomic");
      const { jar } = await ssoLogin("sub-atomic");
      const token = await logoutToken({ sub: "sub-atomic" });
      if (dialect === "sqlite") {
        await sql.raw("create trigger refuse_bc before insert on audit_entry for each row when new.action = 'logout.backchannel' and new.outcome = 'success' begin select raise(abort, 'audit refused'); end").execute(db());
      } else {
        await sql.raw("create or replace function refuse_bc() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$").execute(db());
        await sql.raw("create trigger refuse_bc before insert on audit_entry for each row when (new.action = 'logout.backchannel' and new.outcome = 'success') execute function refuse_bc()").execute(db());
      }
      try {
        const res = await deliver(token);
        expect(res.statusCode).toBeGreaterThanOrEqual(500);
        expect((await me(jar)).statusCode).toBe(200);
        expect(await sessionsOf(user.id)).toEqual(["oidc"]);
      } finally {
        await sql.raw(dialect === "sqlite" ? "drop trigger refuse_bc" : "drop trigger refuse_bc on audit_entry").execute(db());
      }
      // The jti was not kept: the provider's retry of the same token succeeds.
      expect((await deliver(token)).statusCode).toBe(200);
      expect((await me(jar)).statusCode).toBe(401);
    });
  });
}
