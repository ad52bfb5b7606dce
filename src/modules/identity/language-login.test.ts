import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, createUser, csrfFromHtml, freshTotp, type TestUser } from "../../../test/support/auth";
import { activeDialects, type TestContext } from "../../../test/support/db";
import { FORM, type NextLogin, ProviderJar, type TestProvider, throughProvider, startProviderApp, stopProviderApp } from "../../../test/support/oidc-provider";
import type { Locale } from "../../platform/i18n";
import { createAccount } from "./service";
import { updateUser } from "./store";

/**
 * The account's language as the UI language after login (decision 0035): a completed login sets
 * the language cookie (the one pickLocale in src/platform/web/app.ts reads) to the account's
 * language, only when the browser has none; an explicit choice (cookie, ?lang=) wins. Covers
 * password + TOTP, first-login enrolment and SSO (a REAL oidc-provider), on both databases.
 */
for (const dialect of activeDialects()) {
  describe(`account language after login [${dialect}]`, () => {
    const next: { current: NextLogin } = { current: { sub: "nobody" } };
    let op: TestProvider;
    let ctx: TestContext;
    let app: FastifyInstance;

    beforeAll(async () => {
      ({ op, ctx, app } = await startProviderApp(dialect, next));
    }, 60_000);
    afterAll(() => stopProviderApp({ op, ctx, app }));

    /** A browser: its cookie jar and the headers it always sends (Accept-Language). */
    const browser = (headers: Record<string, string> = {}, langCookie?: Locale) => {
      const jar = new CookieJar();
      if (langCookie) jar.take({ cookies: [{ name: "schakel_lang", value: langCookie }] } as unknown as LightMyRequestResponse);
      const go = async (method: "GET" | "POST", url: string, form?: Record<string, string>) => {
        const res = await app.inject({ method, url, headers: { ...headers, cookie: jar.header(), ...(form ? FORM : {}) }, ...(form ? { payload: new URLSearchParams(form).toString() } : {}) });
        jar.take(res);
        return res;
      };
      return { jar, go };
    };
    type Browser = ReturnType<typeof browser>;
    const langSet = (res: LightMyRequestResponse) => res.cookies.filter((c) => c.name === "schakel_lang").map((c) => c.value);
    const htmlLang = async (b: Browser, url = "/account") => /<html lang="([a-z]{2})"/.exec((await b.go("GET", url)).body)?.[1];
    const userIn = async (language: Locale) => {
      const user = await createUser(ctx);
      await updateUser(ctx.database.db, user.id, { language });
      return user;
    };

    async function passwordStep(b: Browser, user: Pick<TestUser, "email" | "password">) {
      const page = await b.go("GET", "/login");
      return b.go("POST", "/login", { _csrf: csrfFromHtml(page.body), email: user.email, password: user.password, next: "/account" });
    }
    async function totpStep(b: Browser, user: TestUser, url = "/login/mfa") {
      const page = await b.go("GET", "/login/mfa");
      return b.go("POST", url, { _csrf: csrfFromHtml(page.body), code: await freshTotp(user) });
    }

    it("password + TOTP: the account's language (French) outranks the browser's Accept-Language; set only once the login is complete", async () => {
      const user = await userIn("fr");
      const b = browser({ "accept-language": "en-GB,en;q=0.9" });
      const afterPassword = await passwordStep(b, user);
      expect(afterPassword.headers.location).toBe("/login/mfa");
      expect(langSet(afterPassword)).toEqual([]);
      // Half logged in: still the browser's language.
      expect(await htmlLang(b, "/login/mfa")).toBe("en");
      const done = await totpStep(b, user);
      expect(done.statusCode).toBe(303);
      expect(langSet(done)).toEqual(["fr"]);
      expect(done.cookies.find((c) => c.name === "schakel_lang")).toMatchObject({ path: "/", httpOnly: true, sameSite: "Lax" });
      expect(await htmlLang(b)).toBe("fr");
    });

    it("a browser that already chose a language keeps it (the switch's cookie, or ?lang= on the login request itself)", async () => {
      const user = await userIn("fr");
      const chose = browser({}, "en");
      await passwordStep(chose, user);
      const done = await totpStep(chose, user);
      expect(done.statusCode).toBe(303);
      expect(langSet(done)).toEqual([]);
      expect(await htmlLang(chose)).toBe("en");

      const switching = browser();
      await passwordStep(switching, user);
      const viaQuery = await totpStep(switching, user, "/login/mfa?lang=nl");
      expect(viaQuery.statusCode).toBe(303);
      expect(langSet(viaQuery)).toEqual(["nl"]);
      expect(await htmlLang(switching)).toBe("nl");
    });

    it("a Dutch account sets Dutch (no cookie left to Accept-Language after login)", async () => {
      const user = await userIn("nl");
      const b = browser({ "accept-language": "fr-BE" });
      await passwordStep(b, user);
      expect(langSet(await totpStep(b, user))).toEqual(["nl"]);
      expect(await htmlLang(b)).toBe("nl");
    });

    it("first login with TOTP enrolment sets the account's language (English) when the codes are shown", async () => {
      const email = `enrol-en-${dialect}@test.schakel.invalid`;
      const password = "Eerste-Aanmelding-2026!x";
      await createAccount(ctx, { email, displayName: "First Login", password, status: "active", language: "en" });
      const b = browser();
      const afterPassword = await passwordStep(b, { email, password });
      expect(afterPassword.headers.location).toBe("/account/mfa/setup");
      const setup = await b.go("GET", "/account/mfa/setup");
      const secret = /data-secret="([A-Z2-7]+)"/.exec(setup.body)![1];
      const done = await b.go("POST", "/account/mfa/setup", { _csrf: csrfFromHtml(setup.body), code: await generate({ secret }) });
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain('id="recovery-codes"');
      expect(langSet(done)).toEqual(["en"]);
      expect(await htmlLang(b)).toBe("en");
    });

    /** An SSO login up to the callback; returns the callback's answer. */
    async function ssoCallback(b: Browser, login: NextLogin) {
      next.current = login;
      const page = await b.go("GET", "/login");
      const start = await b.go("POST", "/login/oidc", { _csrf: csrfFromHtml(page.body), next: "/account" });
      // To the provider: a redirect, or a page with a "continue" link (either way the same URL).
      const leave = /href="([^"]+)" id="sso-leave"/.exec(start.body)?.[1]?.replaceAll("&amp;", "&");
      const to = start.statusCode === 303 ? String(start.headers.location) : leave;
      expect(to, `answer ${start.statusCode}`).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
      const at = await throughProvider(to!, new ProviderJar());
      return b.go("GET", `/login/oidc/callback${at.search}`);
    }

    it("SSO: a login the provider completed with MFA sets the account's language; without MFA it is set after Schakel's TOTP step", async () => {
      const user = await userIn("fr");
      await updateUser(ctx.database.db, user.id, { oidc_issuer: op.issuer, oidc_subject: `sub-lang-${dialect}` });
      const withMfa = browser({ "accept-language": "en" });
      const callback = await ssoCallback(withMfa, { sub: `sub-lang-${dialect}`, amr: ["mfa"] });
      expect(callback.headers.refresh).toBe("0;url=/account");
      expect(langSet(callback)).toEqual(["fr"]);
      expect(await htmlLang(withMfa)).toBe("fr");

      const withoutMfa = browser({ "accept-language": "en" });
      const half = await ssoCallback(withoutMfa, { sub: `sub-lang-${dialect}` });
      expect(half.headers.refresh).toBe("0;url=/login/mfa");
      expect(langSet(half)).toEqual([]);
      const done = await totpStep(withoutMfa, user);
      expect(done.statusCode).toBe(303);
      expect(langSet(done)).toEqual(["fr"]);
      expect(await htmlLang(withoutMfa)).toBe("fr");

      // A browser that chose English keeps it through an SSO login.
      const chose = browser({}, "en");
      expect(langSet(await ssoCallback(chose, { sub: `sub-lang-${dialect}`, amr: ["mfa"] }))).toEqual([]);
      expect(await htmlLang(chose)).toBe("en");
    });
  });
}
