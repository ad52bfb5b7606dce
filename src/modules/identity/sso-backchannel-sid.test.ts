import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CookieJar, csrfFromHtml, freshTotp, login, type TestUser } from "../../../test/support/auth";
import { activeDialects } from "../../../test/support/db";
import { type BackchannelSetup, FORM, logoutAtProvider, POST_LOGOUT, type ProviderJar, startBackchannelApp } from "../../../test/support/oidc-provider";
import { loadSessionWithAccount, markSessionsForRotation, SESSION_COOKIE, sessionIdOf } from "../../platform/auth/session";

/**
 * Back-channel logout per provider session (decision 0038), against a REAL oidc-provider: the ID
 * token's sid is kept on the Schakel session row from the SSO login on, through every rotation, so
 * a Logout Token with a sid ends only the SSO sessions that came in through that provider session.
 * A token with only a sub ends all of the account's SSO sessions. Password sessions never end.
 */
for (const dialect of activeDialects()) {
  describe(`back-channel logout per provider session (sid) [${dialect}]`, () => {
    let s: BackchannelSetup;
    beforeAll(async () => {
      s = await startBackchannelApp(dialect);
    }, 60_000);
    afterAll(() => s?.close());

    const db = () => s.ctx.database.db;
    /** The session row of a browser (by its cookie), or undefined when it has ended. */
    const rowOf = (jar: CookieJar) =>
      db()
        .selectFrom("session")
        .select(["id", "oidc_sid", "stage", "auth_method"])
        .where("id", "=", sessionIdOf(jar.get(SESSION_COOKIE) ?? ""))
        .executeTakeFirst();
    const sidOf = async (jar: CookieJar) => {
      const sid = (await rowOf(jar))?.oidc_sid;
      if (!sid) throw new Error("this browser's session has no sid");
      return sid;
    };
    const live = async (...jars: CookieJar[]) => Promise.all(jars.map(async (jar) => (await s.me(jar)).statusCode));
    const auditsOf = async (userId: string | null) =>
      (
        await db()
          .selectFrom("audit_entry")
          .select(["resource_id", "outcome"])
          .where("action", "=", "logout.backchannel")
          .where((eb) => (userId === null ? eb("resource_id", "is", null) : eb("resource_id", "=", userId)))
          // In the chain's order: the tests slice off the entries made before them (PostgreSQL returns rows
          // in no set order without this; a run with three workers met it).
          .orderBy("seq")
          .execute()
      ).map((a) => a.outcome);

    /** Two browsers (two provider sessions, two sids) by SSO and one by password, of one account. */
    async function threeBrowsers(sub: string): Promise<{ user: TestUser; a: CookieJar; b: CookieJar; password: CookieJar; providerA: ProviderJar }> {
      const user = await s.linkedUser(sub);
      const a = await s.ssoLogin(sub);
      const b = await s.ssoLogin(sub);
      const password = (await login(s.app, user)).jar;
      expect(await sidOf(a.jar)).not.toBe(await sidOf(b.jar));
      expect(await live(a.jar, b.jar, password)).toEqual([200, 200, 200]);
      return { user, a: a.jar, b: b.jar, password, providerA: a.provider };
    }

    it("a token with sid and sub ends only the SSO sessions of that sid (two Schakel logins in one provider session both end); other devices and the password session stay", async () => {
      const { user, a, b, password, providerA } = await threeBrowsers("sub-pair");
      // A second Schakel login in browser A reuses its provider session: same sid.
      const a2 = (await s.ssoLogin("sub-pair", { provider: providerA })).jar;
      expect(await sidOf(a2)).toBe(await sidOf(a));
      const res = await s.deliver(await s.logoutToken({ sub: "sub-pair", sid: await sidOf(a) }));
      expect(res.statusCode).toBe(200);
      expect(await live(a, a2, b, password)).toEqual([401, 401, 200, 200]);
      expect(await auditsOf(user.id)).toEqual(["success"]);
    });

    it("a session rotated after login (Schakel's TOTP step, then a rotation mark) keeps its sid; the provider's logout still ends it and only it", async () => {
      const user = await s.linkedUser("sub-rotated");
      // The provider reports no MFA: the session waits at Schakel's TOTP step.
      const { jar, provider } = await s.ssoLogin("sub-rotated", { amr: [] });
      const other = (await s.ssoLogin("sub-rotated")).jar;
      const first = await rowOf(jar);
      expect(first?.stage).toBe("mfa");
      const sid = first!.oidc_sid;
      expect(sid).toBeTruthy();

      const page = await s.app.inject({ method: "GET", url: "/login/mfa", headers: { cookie: jar.header() } });
      const step = await s.app.inject({
        method: "POST",
        url: "/login/mfa",
        headers: { cookie: jar.header(), ...FORM },
        payload: new URLSearchParams({ _csrf: csrfFromHtml(page.body), code: await freshTotp(user) }).toString(),
      });
      expect(step.statusCode).toBe(303);
      jar.take(step);
      const second = await rowOf(jar);
      expect(second).toMatchObject({ stage: "full", auth_method: "oidc", oidc_sid: sid });
      expect(second!.id).not.toBe(first!.id);

      // Roles changed: every session of the account gets a new id on its next request.
      await markSessionsForRotation(db(), user.id);
      const next = await s.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: jar.header() } });
      expect(next.statusCode).toBe(200);
      jar.take(next);
      const third = await rowOf(jar);
      expect(third).toMatchObject({ stage: "full", oidc_sid: sid });
      expect(new Set([first!.id, second!.id, third!.id]).size).toBe(3);
      expect(await db().selectFrom("session").select("id").where("oidc_sid", "=", sid).execute()).toEqual([{ id: third!.id }]);
      // The one-statement session lookup returns the column on this dialect (named in SESSION_COLUMNS).
      const loaded = await loadSessionWithAccount(s.ctx.database, s.ctx.config, jar.get(SESSION_COOKIE));
      expect(loaded?.session.oidc_sid).toBe(sid);

      // The person logs out at the provider in that browser: the Logout Token names the sid.
      await logoutAtProvider(`${s.op.issuer}/session/end?client_id=schakel&post_logout_redirect_uri=${encodeURIComponent(POST_LOGOUT)}`, provider, "yes");
      expect(s.op.backchannelErrors()).toEqual([]);
      expect(await live(jar, other)).toEqual([401, 200]);
    });

    it("a token with only a sid ends that sid's SSO sessions; a sid of no live session answers 200 and ends nothing (audited)", async () => {
      const { user, a, b, password } = await threeBrowsers("sub-sid-only");
      const sidB = await sidOf(b);
      const res = await s.deliver(await s.logoutToken({ sid: sidB }));
      expect(res.statusCode).toBe(200);
      expect(await live(a, b, password)).toEqual([200, 401, 200]);
      expect(await auditsOf(user.id)).toEqual(["success"]);

      const before = await auditsOf(null);
      const unknown = await s.deliver(await s.logoutToken({ sid: "no-such-sid" }));
      expect(unknown.statusCode).toBe(200);
      // The ended session's sid again (a new token for it): nothing left to end.
      const again = await s.deliver(await s.logoutToken({ sid: sidB }));
      expect(again.statusCode).toBe(200);
      expect(await live(a, password)).toEqual([200, 200]);
      expect((await auditsOf(null)).slice(before.length)).toEqual(["success", "success"]);
    });

    it("a token with sub and a sid of no live session ends nothing of the account", async () => {
      const { a, b, password } = await threeBrowsers("sub-stale-sid");
      const res = await s.deliver(await s.logoutToken({ sub: "sub-stale-sid", sid: "ended-long-ago" }));
      expect(res.statusCode).toBe(200);
      expect(await live(a, b, password)).toEqual([200, 200, 200]);
    });

    it("a token with only a sub still ends every SSO session of the account; the password session stays", async () => {
      const { user, a, b, password } = await threeBrowsers("sub-all");
      const res = await s.deliver(await s.logoutToken({ sub: "sub-all" }));
      expect(res.statusCode).toBe(200);
      expect(await live(a, b, password)).toEqual([401, 401, 200]);
      expect(await auditsOf(user.id)).toEqual(["success"]);
    });

    it("refuses a token whose sub is not the account of its sid's sessions (400, nothing ends, the jti is not burnt)", async () => {
      const { a, b } = await threeBrowsers("sub-victim");
      await s.linkedUser("sub-other");
      const before = await auditsOf(null);
      const sid = await sidOf(a);
      for (const sub of ["sub-other", "sub-nobody"]) {
        const res = await s.deliver(await s.logoutToken({ sub, sid }));
        expect(res.statusCode, sub).toBe(400);
        expect(res.json(), sub).toEqual({ error: "invalid_request", error_description: "logout_token's sub and sid do not belong together" });
      }
      expect(await live(a, b)).toEqual([200, 200]);
      expect((await auditsOf(null)).slice(before.length)).toEqual(["failure", "failure"]);
      // A token refused this way may be corrected and delivered; the matching pair works.
      const ok = await s.deliver(await s.logoutToken({ sub: "sub-victim", sid }));
      expect(ok.statusCode).toBe(200);
      expect(await live(a, b)).toEqual([401, 200]);
    });

    it("an SSO session without a sid (made before sids were kept per session) ends with any token naming its account", async () => {
      const { a, b, password } = await threeBrowsers("sub-legacy");
      const c = (await s.ssoLogin("sub-legacy")).jar;
      // As a session from before migration 2026121080 looks: no sid on the row.
      await db().updateTable("session").set({ oidc_sid: null }).where("id", "=", sessionIdOf(a.get(SESSION_COOKIE) ?? "")).execute();
      const res = await s.deliver(await s.logoutToken({ sub: "sub-legacy", sid: await sidOf(b) }));
      expect(res.statusCode).toBe(200);
      // The sid-less session may have come from that provider session: it ends (the safe side); c's sid differs.
      expect(await live(a, b, c, password)).toEqual([401, 401, 200, 200]);
    });
  });
}
