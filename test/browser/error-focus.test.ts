import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/**
 * Decision 0054. A failed form POST lands on a page whose error summary has the focus, WITHOUT
 * JavaScript (autofocus), and whose title starts with "Fout: "; the DPO's record of processing page
 * and its download. Zero axe violations on every page visited.
 */
describeBrowser("journey: error summary focus without JavaScript, and the record of processing", () => {
  let server: TestServer;
  let browser: Browser;
  let dpo: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    dpo = await createUser(server.ctx, { platformRoles: ["dpo"], displayName: "Dora Privacy" });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const focused = (page: import("playwright-core").Page) =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}.${el.className}` : null;
    });

  it("without JavaScript: a refused login and a refused search put the focus on the error summary, and the title says Fout", async () => {
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE", javaScriptEnabled: false });
    const page = await context.newPage();
    // Scripts really are off: htmx never ran.
    await page.goto("/login");
    expect(await page.evaluate(() => "htmx" in window)).toBe(false);
    expect(await page.title()).toBe("Aanmelden · Schakel");
    expect(await focused(page)).toBe("body.");

    await page.getByLabel("E-mailadres").fill(dpo.email);
    await page.getByLabel("Wachtwoord", { exact: true }).fill("not-the-password-at-all");
    await page.locator("form[action='/login'] button[type=submit]").click();
    await page.waitForLoadState("load");
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.title()).toMatch(/^Fout: .* · Schakel$/);
    await expect.poll(() => focused(page)).toBe("div.error-summary");

    await loginInBrowser(page, dpo, "/audit");
    await page.getByLabel("Van", { exact: true }).fill("29-11-2026");
    await page.getByRole("button", { name: "Zoeken" }).click();
    await page.waitForLoadState("load");
    expect(await page.title()).toMatch(/^Fout: Auditlog/);
    await expect.poll(() => focused(page)).toBe("div.error-summary");
    // Tab from the summary reaches its first link, which leads to the field.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("href"))).toBe("#from");
    await context.close();
  }, 120_000);

  it("with JavaScript the same page focuses the summary too and has no axe violations; the record of processing page and its download", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, dpo, "/audit");
    await page.getByLabel("Van", { exact: true }).fill("29-11-2026");
    await page.getByRole("button", { name: "Zoeken" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    await expect.poll(() => focused(page)).toBe("div.error-summary");
    await expectAccessible(page, "error-summary-focused");

    await page.getByRole("link", { name: "Verwerkingsregister" }).click();
    await page.waitForURL(/\/privacy$/);
    expect(await page.title()).toBe("Register van verwerkingsactiviteiten · Schakel");
    expect(await page.locator("h2").allTextContents()).toEqual([
      "Verwerkingsverantwoordelijke",
      "Doeleinden",
      "Rechtsgronden",
      "Categorieën van betrokkenen",
      "Categorieën van persoonsgegevens",
      "Ontvangers",
      "Doorgifte buiten de Europese Economische Ruimte",
      "Bewaartermijnen en wissing",
      "Beveiligingsmaatregelen (uitgewerkt in docs/SECURITY.md)",
    ]);
    expect(await page.locator("main").textContent()).toContain("Casussen: 6 jaar na de afsluiting");
    await expectAccessible(page, "record-of-processing");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download het register/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^schakel-record-of-processing-\d{4}-\d\d-\d\d-nl\.md$/);

    await page.getByRole("link", { name: "English" }).click();
    await page.waitForURL(/lang=en/);
    await expectAccessible(page, "record-of-processing-en");
    // The refused search answered 400 on purpose; nothing else failed.
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 120_000);
});
