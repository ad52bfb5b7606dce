import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findUser, findUserByEmail, updateUser } from "../../src/modules/identity/store";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("account language on /account and at account creation (decision 0035)", () => {
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

  it("the person saves French with the plain form, the UI follows; an English account opens in English after login; the administrator picks the language; accessibly", async () => {
    const person = await createUser(server.ctx, { displayName: "Lotte Taalkeuze" });
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, person, "/account");
    expect(await page.locator("html").getAttribute("lang")).toBe("nl");
    expect(await page.getByLabel("Taal van uw e-mails en van Schakel").inputValue()).toBe("nl");
    await expectAccessible(page, "account-language-01-account");

    await page.getByLabel("Taal van uw e-mails en van Schakel").selectOption("fr");
    await page.getByRole("button", { name: "Taal opslaan" }).click();
    await page.waitForURL(/\/account\?saved=language$/);
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    await expect.poll(() => page.locator("#language-saved").textContent()).toContain("Votre langue est enregistrée.");
    expect(await page.getByLabel("Langue de vos e-mails et de Schakel").inputValue()).toBe("fr");
    await expectAccessible(page, "account-language-02-saved-fr");
    expect((await findUser(server.ctx.database.db, person.id))!.language).toBe("fr");
    await context.close();

    // A fresh browser (Dutch, no language cookie): an English account's pages are English after login.
    const english = await createUser(server.ctx, { displayName: "Oliver Language" });
    await updateUser(server.ctx.database.db, english.id, { language: "en" });
    const second = await newPage(browser, server.baseUrl);
    const secondErrors = watchPageErrors(second.page);
    await loginInBrowser(second.page, english, "/account");
    expect(await second.page.locator("html").getAttribute("lang")).toBe("en");
    expect(await second.page.getByLabel("Language of your e-mails and of Schakel").inputValue()).toBe("en");
    await expectAccessible(second.page, "account-language-03-english-after-login");
    await second.context.close();

    // The administrator creates an account in French with the select on the form.
    const admin = await createUser(server.ctx, { platformRoles: ["admin"] });
    const third = await newPage(browser, server.baseUrl);
    const thirdErrors = watchPageErrors(third.page);
    await loginInBrowser(third.page, admin, "/admin/accounts/new");
    expect(await third.page.getByLabel("Taal van het account").inputValue()).toBe("nl");
    await expectAccessible(third.page, "account-language-04-new-account");
    await third.page.getByLabel("Naam").fill("Camille Nouvelle");
    await third.page.getByLabel("E-mailadres").fill("camille.nouvelle@test.schakel.invalid");
    await third.page.getByLabel("Taal van het account").selectOption("fr");
    await third.page.locator("form[action='/admin/accounts'] button[type=submit]").click();
    await expect.poll(() => third.page.locator("#account-language").textContent()).toBe("Français");
    await expectAccessible(third.page, "account-language-05-created-fr");
    expect((await findUserByEmail(server.ctx.database.db, "camille.nouvelle@test.schakel.invalid"))!.language).toBe("fr");
    await third.context.close();

    expect([...errors, ...secondErrors, ...thirdErrors]).toEqual([]);
  });
});
