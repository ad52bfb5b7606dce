import { generate } from "otplib";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findUser } from "../../src/modules/identity/store";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

const STRONG = "Elf rode bakfietsen op de Grote Markt";

describeBrowser("account recovery: an administrator resets a lost second factor and edits a name; the person enrols again (decision 0045)", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a refused confirmation links the checkbox, the confirmed reset shows a link, a name change is saved, and the person sets a password and enrols a new authenticator; accessibly", async () => {
    const db = server.ctx.database.db;
    const person = await createUser(server.ctx, { displayName: "Bert Telefoonkwijt" });
    const admin = await createUser(server.ctx, { platformRoles: ["admin"] });
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, admin, `/admin/accounts/${person.id}`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Bert Telefoonkwijt");
    await expectAccessible(page, "account-recovery-01-account");

    // Name and address: an empty name is refused with the typed address kept, then saved.
    await page.getByLabel("Naam", { exact: true }).fill("");
    await page.getByLabel("E-mailadres", { exact: true }).fill("bert.nieuw@fusiegemeente.example");
    await page.getByRole("button", { name: "Naam en e-mailadres opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary a[href='#display_name']").count()).toBe(1);
    expect(await page.getByLabel("E-mailadres", { exact: true }).inputValue()).toBe("bert.nieuw@fusiegemeente.example");
    await expectAccessible(page, "account-recovery-02-details-refused");
    await page.getByLabel("Naam", { exact: true }).fill("Bert Nieuwgemeente");
    await page.getByRole("button", { name: "Naam en e-mailadres opslaan" }).click();
    await page.waitForURL(/saved=details/);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Bert Nieuwgemeente");
    expect(await page.locator("#account-details-saved").textContent()).toContain("opgeslagen");
    await expectAccessible(page, "account-recovery-03-details-saved");

    // The reset: a confirmation page; without the checkbox refused and linked; then done.
    await page.locator("#mfa-reset-start").click();
    await page.waitForURL(/\/mfa-reset$/);
    await expectAccessible(page, "account-recovery-04-confirm");
    await page.getByRole("button", { name: "Tweede factor resetten" }).click();
    await expect.poll(() => page.locator(".error-summary a[href='#identity_verified']").count()).toBe(1);
    await expectAccessible(page, "account-recovery-05-confirm-refused");
    expect((await findUser(db, person.id))!.totp_secret).not.toBeNull();
    await page.getByLabel("Ik heb de identiteit van de persoon buiten Schakel nagegaan.").check();
    await page.getByRole("button", { name: "Tweede factor resetten" }).click();
    await expect.poll(() => page.locator("#account-link").count()).toBe(1);
    const link = new URL((await page.locator("#account-link").textContent())!, server.baseUrl);
    await expectAccessible(page, "account-recovery-06-reset-done");
    expect((await findUser(db, person.id))!.totp_secret).toBeNull();
    await context.close();

    // The person: the link sets a new password, the login goes on to enrolment of a new authenticator.
    const second = await newPage(browser, server.baseUrl);
    const secondErrors = watchPageErrors(second.page);
    const p = second.page;
    await p.goto(`${link.pathname}${link.search}`);
    await p.getByLabel("Nieuw wachtwoord").fill(STRONG);
    await p.getByLabel("Herhaal het wachtwoord").fill(STRONG);
    await p.locator("form[action='/account/reset/new'] button[type=submit]").click();
    await p.waitForURL(/\/login$/);
    await p.getByLabel("E-mailadres").fill("bert.nieuw@fusiegemeente.example");
    await p.getByLabel("Wachtwoord", { exact: true }).fill(STRONG);
    await p.locator("form[action='/login'] button[type=submit]").click();
    await p.waitForURL(/\/account\/mfa\/setup$/);
    await expectAccessible(p, "account-recovery-07-enrol");
    const secret = (await p.locator("#totp-secret").getAttribute("data-secret"))!;
    expect(secret).not.toBe(person.totpSecret);
    await p.getByLabel("Code uit de app").fill(await generate({ secret }));
    await p.locator("form[action='/account/mfa/setup'] button[type=submit]").click();
    await expect.poll(() => p.locator("li code").count()).toBe(10);
    await expectAccessible(p, "account-recovery-08-recovery-codes");
    expect((await findUser(db, person.id))!.totp_secret).not.toBeNull();
    await second.context.close();

    // The two refused forms answer 400 (the browser logs them); nothing else may appear.
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(2);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    expect(secondErrors).toEqual([]);
  });
});
