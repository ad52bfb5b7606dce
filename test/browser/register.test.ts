import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("journey: the municipality register", () => {
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

  it("opens the register, searches Gent, opens it and switches to French, all accessible", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await page.goto("/");
    await expectAccessible(page, "home");
    await page.getByRole("link", { name: "Gemeenteregister" }).first().click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Gemeenteregister");
    await expectAccessible(page, "register");

    await page.getByLabel("Datum").fill("2024-12-31");
    await page.getByRole("button", { name: "Toon" }).click();
    await expect.poll(() => page.locator("#result-count").textContent()).toContain("300 gemeenten");

    await page.getByLabel("Datum").fill("2025-01-01");
    await page.getByLabel("Zoek op naam of NIS-code").fill("Gent");
    await page.getByRole("button", { name: "Toon" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThan(0);
    await expectAccessible(page, "register-search-gent");

    await page.getByRole("link", { name: "Gent", exact: true }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Gent");
    expect(page.url()).toMatch(/\/municipalities\/44021$/);
    await expectAccessible(page, "municipality-gent");

    await page.getByRole("link", { name: "Français" }).click();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.getByRole("link", { name: "Retour au registre" }).count()).toBe(1);
    await expectAccessible(page, "municipality-gent-fr");

    // The language is remembered on the next page.
    await page.goto("/municipalities");
    expect(await page.locator("h1").textContent()).toBe("Registre des communes");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("keeps a bad date in the form and links the error summary to the field", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const response = await page.goto("/municipalities?date=2018-05-01&q=Gent");
    expect(response?.status()).toBe(400);
    expect(await page.getByLabel("Datum").inputValue()).toBe("2018-05-01");
    expect(await page.getByLabel("Zoek op naam of NIS-code").inputValue()).toBe("Gent");
    expect(await page.locator(".error-summary a").getAttribute("href")).toBe("#date");
    await expectAccessible(page, "register-error");
    await context.close();
  });
});
