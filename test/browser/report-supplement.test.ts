import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeLivc } from "../../src/modules/cases/testing";
import { emptyForm } from "../../src/modules/intake/schema";
import { fileReport } from "../../src/modules/intake/service";
import type { Actor } from "../../src/platform/policy/actor";
import { addMembership } from "../../src/modules/registry/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/** Decision 0048 in a real browser: the reporter adds information (an empty one refused first) and withdraws another report. */
describeBrowser("journey: a reporter adds to one report and withdraws another", () => {
  let server: TestServer;
  let browser: Browser;
  let reporter: TestUser;
  let first: string;
  let second: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const livc = await makeLivc(server.ctx, "SUPP");
    await addMembership(server.ctx.database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await createUser(server.ctx, { roles: [{ livcId: livc, role: "reporter" }] });
    const actor: Actor = { userId: reporter.id, displayName: "Melder", sessionId: "test", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role: "reporter" }] };
    const file = async () => {
      const made = await fileReport(
        server.ctx,
        { actor },
        { ...emptyForm(), identity_known: "known", subject_name: "Fictieve Reis", subject_birth_date: "2005-06-07", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "Zei dat de aanslag terecht was.", reporter_contact: "09 000 00 00" },
        "submit",
      );
      if (made.kind !== "submitted") throw new Error(made.kind);
      return made.reference;
    };
    first = await file();
    second = await file();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("adds information after a refused empty one, then withdraws the other report, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, reporter, `/reports/${first}`);
    await expectAccessible(page, "status-before");
    await page.getByRole("link", { name: "Informatie toevoegen aan deze melding" }).click();
    await page.waitForURL(new RegExp(`/reports/${first}/supplement$`));
    await expectAccessible(page, "supplement-form");

    await page.getByLabel("Vraagt hoe wapens of explosieven te verkrijgen of te maken").check();
    await page.getByRole("button", { name: "Informatie toevoegen" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#observation"]);
    expect(await page.locator("#signals-weapons_interest").isChecked()).toBe(true);
    await expectAccessible(page, "supplement-errors");

    await page.getByLabel("Wat zag of hoorde je sindsdien?").fill("Toonde maandag een mes in de klas.");
    await page.getByRole("button", { name: "Informatie toevoegen" }).click();
    await page.waitForURL(new RegExp(`/reports/${first}\\?done=supplement$`));
    expect(await page.locator("main").textContent()).toContain("Je aanvulling is toegevoegd.");
    expect(await page.locator("main").textContent()).toContain("Informatie toegevoegd");
    await expectAccessible(page, "status-after-supplement");

    await page.goto(`${server.baseUrl}/reports/${second}`);
    await page.getByRole("link", { name: "Deze melding intrekken" }).click();
    await page.waitForURL(new RegExp(`/reports/${second}/withdraw$`));
    await expectAccessible(page, "withdraw-form");
    await page.getByLabel("Per vergissing verstuurd").check();
    await page.getByRole("button", { name: "Melding intrekken" }).click();
    await page.waitForURL(new RegExp(`/reports/${second}\\?done=withdrawn$`));
    expect(await page.locator("#status").textContent()).toBe("Ingetrokken");
    expect(await page.getByRole("link", { name: "Deze melding intrekken" }).count()).toBe(0);
    await expectAccessible(page, "status-withdrawn");
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 120_000);
});
