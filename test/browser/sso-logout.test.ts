import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { updateUser } from "../../src/modules/identity/store";
import { buildApp } from "../../src/platform/web/app";
import { createUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage } from "../support/browser";
import { openTestContext, type TestContext } from "../support/db";
import { CLIENT_SECRET, type NextLogin, startProvider, type TestProvider } from "../support/oidc-provider";

/** A free loopback port: the provider must know the app's redirect URIs before the app starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/**
 * RP-initiated logout in real Chromium (decision 0036): log in through a real oidc-provider, log
 * out of Schakel, confirm at the provider, land on /logged-out (the Lax state cookie must come
 * along on the provider's cross-site redirect), and the next SSO login asks for credentials again.
 * The journey also proves the way to the provider survives the CSP (form-action 'self' blocked
 * the former 303 after the SSO button's POST; now a page with a Refresh header).
 */
describeBrowser("logout at the OpenID provider, in a browser (decision 0036)", () => {
  const next: { current: NextLogin } = { current: { sub: "nobody" } };
  let op: TestProvider;
  let ctx: TestContext;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    op = await startProvider(next, { redirect: `${baseUrl}/login/oidc/callback`, postLogout: `${baseUrl}/logged-out` });
    ctx = await openTestContext("sqlite", { OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: "schakel", OIDC_CLIENT_SECRET: CLIENT_SECRET, SCHAKEL_PUBLIC_URL: baseUrl, OIDC_PROVIDER_NAME: "Test-IdP" });
    app = await buildApp(ctx, { logger: false });
    await app.listen({ port, host: "127.0.0.1" });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await ctx?.close();
    await op?.close();
  });

  it("SSO login, logout, confirm at the provider, back on /logged-out; the provider asks for credentials again; accessibly", async () => {
    const user = await createUser(ctx, { displayName: "Jan Afmelding" });
    await updateUser(ctx.database.db, user.id, { oidc_issuer: op.issuer, oidc_subject: "sub-browser-logout" });
    next.current = { sub: "sub-browser-logout", amr: ["mfa"] };
    const { context, page } = await newPage(browser, baseUrl);
    // Errors on Schakel's pages only: the provider's own logout page loads a web font and a favicon it does not have.
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !page.url().startsWith(op.issuer)) errors.push(`${page.url()}: ${m.text()}`);
    });
    const ssoLogin = async () => {
      await page.goto("/login?next=/account");
      await page.getByRole("button", { name: "Aanmelden met Test-IdP" }).click();
      await page.waitForURL(`${baseUrl}/account`);
    };
    const asked = op.interactions();
    await ssoLogin();
    expect(op.interactions()).toBe(asked + 1);

    await page.locator(`form[action="/logout"] button`).first().click();
    // The provider's own confirmation page (not ours: not checked with axe).
    await page.waitForURL((u) => u.href.startsWith(op.issuer));
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.waitForURL((u) => u.href.startsWith(`${baseUrl}/logged-out?`));
    await expect.poll(() => page.locator("h1").textContent()).toBe("U bent afgemeld");
    await expectAccessible(page, "sso-logout-01-logged-out");
    expect((await page.goto("/account"))?.url()).toContain("/login");

    // The provider's session has ended: the next SSO login asks for credentials again.
    await ssoLogin();
    expect(op.interactions()).toBe(asked + 2);
    expect(errors).toEqual([]);
    await context.close();
  });
});
