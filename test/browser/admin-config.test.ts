import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeOrg } from "../../src/modules/partners/testkit";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("journey: an administrator manages regional contact points and renames an organisation", () => {
  let server: TestServer;
  let browser: Browser;
  let admin: TestUser;
  let person: TestUser;
  let orgId = "";

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    admin = await createUser(server.ctx, { platformRoles: ["admin"], displayName: "Beheerder Test" });
    person = await createUser(server.ctx, { displayName: "Noor Regio" });
    orgId = await makeOrg(server.ctx, "CAW Oude Naam", "caw");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("adds, changes and ends a contact point, then renames the organisation, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, admin, "/admin/accounts");
    await page.goto("/admin/accounts");
    await page.getByRole("link", { name: "Regionale aanspreekpunten beheren" }).click();
    await page.waitForURL(/\/admin\/regional-contacts$/);
    expect(await page.locator(".notice.warning").textContent()).toContain("Geen aanspreekpunt voor: Antwerpen, Limburg");
    await expectAccessible(page, "regional-contacts-empty");

    // Refused: no account behind the address, no province chosen; the typed address stays.
    await page.getByLabel("E-mailadres van een bestaand account").fill("niemand@test.schakel.invalid");
    await page.getByRole("button", { name: "Aanspreekpunt toevoegen" }).click();
    await expect.poll(() => page.locator(".error-summary").textContent()).toContain("Kies een provincie uit de lijst");
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#email", "#province"]);
    expect(await page.getByLabel("E-mailadres van een bestaand account").inputValue()).toBe("niemand@test.schakel.invalid");
    await expectAccessible(page, "regional-contacts-errors");

    await page.getByLabel("E-mailadres van een bestaand account").fill(person.email);
    await page.getByLabel("Provincie").selectOption("Limburg");
    await page.getByRole("button", { name: "Aanspreekpunt toevoegen" }).click();
    await expect.poll(() => page.locator(".notice").first().textContent()).toContain("Het regionale aanspreekpunt is toegevoegd.");
    expect(await page.locator("#contact-points tbody tr").textContent()).toContain("Noor Regio");
    await expectAccessible(page, "regional-contacts-list");

    await page.getByRole("link", { name: /Wijzigen Noor Regio/ }).click();
    await expectAccessible(page, "regional-contact-edit");
    await page.getByLabel("Provincie").selectOption("all");
    await page.getByRole("button", { name: "Wijziging opslaan" }).click();
    await expect.poll(() => page.locator(".notice").first().textContent()).toContain("De wijziging is opgeslagen.");
    expect(await page.locator("#contact-points tbody tr").textContent()).toContain("Heel Vlaanderen");
    expect(await page.locator(".notice.warning").count()).toBe(0);
    await page.getByRole("button", { name: /Beëindigen Noor Regio/ }).click();
    await expect.poll(() => page.locator(".notice").first().textContent()).toContain("Het regionale aanspreekpunt is beëindigd.");
    expect(await page.locator("#contact-points").count()).toBe(0);
    await expectAccessible(page, "regional-contacts-ended");

    // The organisation: an empty name is refused (input kept, summary linked), then renamed with a new sector.
    await page.goto(`/admin/organisations/${orgId}`);
    await expectAccessible(page, "organisation-detail-edit-form");
    await page.getByLabel("Naam van de organisatie").fill("   ");
    await page.getByLabel("Sector").selectOption("youth_work");
    await page.getByRole("button", { name: "Naam en sector opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary").textContent()).toContain("Vul de naam van de organisatie in");
    expect(await page.locator(".error-summary a").getAttribute("href")).toBe("#name");
    expect(await page.getByLabel("Sector").inputValue()).toBe("youth_work");
    await expectAccessible(page, "organisation-edit-error");
    await page.getByLabel("Naam van de organisatie").fill("Jeugdhuis Nieuwe Naam");
    await page.getByRole("button", { name: "Naam en sector opslaan" }).click();
    await expect.poll(() => page.locator(".notice").textContent()).toContain("De wijziging is opgeslagen.");
    expect(await page.locator("h1").textContent()).toBe("Jeugdhuis Nieuwe Naam");
    expect(await page.locator("dl.summary dd").first().textContent()).toBe("Jeugdwerk");
    await expectAccessible(page, "organisation-renamed");

    // The two refused forms answered 400 on purpose; nothing else failed.
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(2);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  });
});
