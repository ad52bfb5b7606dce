import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { updateUser } from "../../src/modules/identity/store";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

const ISSUER = "https://idp.example.test/realms/gemeente";

describeBrowser("SSO link on the administrator's account page and the person's own pages (decision 0031)", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ env: { OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: "schakel", OIDC_REDIRECT_URI: "https://schakel.test/login/oidc/callback", OIDC_PROVIDER_NAME: "Gemeente-IdP" } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("an administrator sees the link (issuer, not subject) and removes it with a plain form; the person sees their own link; accessibly", async () => {
    const person = await createUser(server.ctx, { displayName: "Sofie Koppeling" });
    await updateUser(server.ctx.database.db, person.id, { oidc_issuer: ISSUER, oidc_subject: "sub-never-on-screen" });
    const admin = await createUser(server.ctx, { platformRoles: ["admin"] });
    // The person's own pages first.
    const own = await newPage(browser, server.baseUrl);
    const ownErrors = watchPageErrors(own.page);
    await loginInBrowser(own.page, person, "/account");
    await expect.poll(() => own.page.locator("#account-sso").textContent()).toContain(`Gekoppeld (${ISSUER})`);
    await expectAccessible(own.page, "sso-link-01-account");
    await own.page.goto("/account/sso");
    await expect.poll(() => own.page.locator("#sso-issuer").textContent()).toContain(ISSUER);
    await expectAccessible(own.page, "sso-link-02-account-sso");
    expect(await own.page.content()).not.toContain("sub-never-on-screen");

    // The administrator: the removal is a plain form POST and a redirect back to the account page.
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, admin, `/admin/accounts/${person.id}`);
    await expect.poll(() => page.locator("#sso-admin").textContent()).toContain("Gekoppeld");
    expect(await page.locator("#sso-admin code").textContent()).toBe(ISSUER);
    expect(await page.content()).not.toContain("sub-never-on-screen");
    await expectAccessible(page, "sso-link-03-admin-linked");
    await page.locator("#sso-remove").click();
    await page.waitForURL(new RegExp(`/admin/accounts/${person.id}$`));
    await expect.poll(() => page.locator("#sso-admin").textContent()).toContain("Niet gekoppeld");
    expect(await page.locator("#sso-remove").count()).toBe(0);
    await expectAccessible(page, "sso-link-04-admin-removed");

    await own.page.goto("/account");
    await expect.poll(() => own.page.locator("#account-sso").textContent()).toBe("Niet gekoppeld");
    expect([...errors, ...ownErrors]).toEqual([]);
    await context.close();
    await own.context.close();
  });
});
