import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login } from "../../../test/support/auth";
import { activeDialects } from "../../../test/support/db";
import { type BackchannelSetup, FORM, logoutAtProvider, POST_LOGOUT, startBackchannelApp } from "../../../test/support/oidc-provider";
import { BACKCHANNEL_LOGOUT_PATH } from "./sso-backchannel.routes";

/**
 * OpenID Connect Back-Channel Logout 1.0 (decision 0038) against a REAL oidc-provider that calls
 * the app over HTTP on a loopback port: a session ended at the provider ends the Schakel SSO
 * sessions that came in through it (per sid: sso-backchannel-sid.test.ts); a Logout Token that
 * fails any check of the specification's section 2.6 is refused with 400 and ends nothing;
 * password sessions are never touched.
 */
const otherKey: KeyObject = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

for (const dialect of activeDialects()) {
  describe(`back-channel logout from the OpenID provider [${dialect}]`, () => {
    let s: BackchannelSetup;
    beforeAll(async () => {
      s = await startBackchannelApp(dialect);
    }, 60_000);
    afterAll(() => s?.close());

    const db = () => s.ctx.database.db;
    const me = (jar: Parameters<BackchannelSetup["me"]>[0]) => s.me(jar);
    const linkedUser = (sub: string) => s.linkedUser(sub);
    const ssoLogin = (sub: string) => s.ssoLogin(sub);
    const logoutToken = (claims: Record<string, unknown>, key?: KeyObject) => s.logoutToken(claims, key);
    const deliver = (token: string) => s.deliver(token);

    const sessionsOf = async (userId: string) => (await db().selectFrom("session").select("auth_method").where("user_id", "=", userId).orderBy("auth_method").execute()).map((r) => r.auth_method);
    const backchannelAudits = async () =>
      db().selectFrom("audit_entry").select(["actor_id", "resource_id", "outcome"]).where("action", "=", "logout.backchannel").orderBy("seq").execute();
    const now = () => Math.floor(Date.now() / 1000);

    it("ending the session at the provider ends the Schakel SSO session that came in through it (audited, actor none); another browser's SSO session and the password session stay", async () => {
      const user = await linkedUser("sub-bc");
      const sso = await ssoLogin("sub-bc");
      const otherBrowser = await ssoLogin("sub-bc");
      const password = await login(s.app, user);
      expect(await sessionsOf(user.id)).toEqual(["oidc", "oidc", "password"]);
      // Each SSO session row carries its provider session's sid (the ID token's); the password session none.
      const rows = await db().selectFrom("session").select(["auth_method", "oidc_sid"]).where("user_id", "=", user.id).execute();
      const sids = rows.filter((r) => r.auth_method === "oidc").map((r) => r.oidc_sid);
      expect(sids.every((sid) => typeof sid === "string" && sid.length > 0)).toBe(true);
      expect(new Set(sids).size).toBe(2);
      expect(rows.find((r) => r.auth_method === "password")?.oidc_sid).toBeNull();
      const discovery = await (await fetch(`${s.op.issuer}/.well-known/openid-configuration`)).json();
      expect(discovery.backchannel_logout_supported).toBe(true);

      // Provider-initiated: the person logs out at the provider (not through Schakel), and confirms.
      const end = `${s.op.issuer}/session/end?client_id=schakel&post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT)}`;
      await logoutAtProvider(end, sso.provider, "yes");
      expect(s.op.backchannelErrors()).toEqual([]);

      expect((await me(sso.jar)).statusCode).toBe(401);
      const account = await s.app.inject({ method: "GET", url: "/account", headers: { cookie: sso.jar.header() } });
      expect(account.statusCode).toBe(303);
      expect(String(account.headers.location)).toMatch(/^\/login/);
      expect((await me(otherBrowser.jar)).statusCode).toBe(200);
      expect((await me(password.jar)).statusCode).toBe(200);
      expect(await sessionsOf(user.id)).toEqual(["oidc", "password"]);
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
      const logout = await s.app.inject({ method: "POST", url: "/logout", headers: { cookie: again.jar.header(), ...FORM }, payload: "" });
      expect(logout.statusCode).toBe(403);
      expect((await me(again.jar)).statusCode).toBe(200);
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
      const password = await login(s.app, user);
      const before = (await backchannelAudits()).length;
      for (const [name, make] of refusals) {
        const token = await make();
        const res = await deliver(token);
        expect(res.statusCode, name).toBe(400);
        expect(res.headers["cache-control"], name).toBe("no-store");
        expect(res.json().error, name).toBe("invalid_request");
        expect(res.body, name).not.toContain(token);
      }
      const missing = await s.app.inject({ method: "POST", url: BACKCHANNEL_LOGOUT_PATH, headers: FORM, payload: "" });
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
