import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeActor, makeLivc } from "../../src/modules/cases/testing";
import { openCaseFromScreening } from "../../src/modules/cases/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("journey: a coordinator corrects a case's name; the DPO opens retention and purge", () => {
  let server: TestServer;
  let browser: Browser;
  let coordinator: TestUser;
  let dpo: TestUser;
  let caseId: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const livc = await makeLivc(server.ctx, "RECT");
    coordinator = await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] });
    dpo = await createUser(server.ctx, { platformRoles: ["dpo"] });
    const lead = await makeActor(server.ctx, [{ livcId: livc, role: "chair" }]);
    caseId = (await openCaseFromScreening(server.ctx, { actor: lead }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Fien Fictiff", dateOfBirth: "2009-03-27" }, screeningDecision: "take_up" })).id;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the coordinator is refused an empty name (summary linked, input kept), then saves the corrected one, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, coordinator, `/cases/${caseId}`);
    await page.getByRole("link", { name: "Identiteit verbeteren" }).click();
    await page.waitForURL(new RegExp(`/cases/${caseId}/identity$`));
    await expectAccessible(page, "rectify-case");
    expect(await page.getByLabel("Volledige naam").inputValue()).toBe("Fien Fictiff");

    await page.getByLabel("Volledige naam").fill("");
    await page.getByLabel("Geboortedatum").fill("2009-03-28");
    await page.getByLabel("Reden van de verbetering").selectOption("typo");
    await page.getByRole("button", { name: "Verbetering opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#full_name"]);
    expect(await page.getByLabel("Geboortedatum").inputValue()).toBe("2009-03-28");
    expect(await page.getByLabel("Reden van de verbetering").inputValue()).toBe("typo");
    await expectAccessible(page, "rectify-case-errors");

    await page.getByLabel("Volledige naam").fill("Fien Fictief");
    await page.getByRole("button", { name: "Verbetering opslaan" }).click();
    await page.waitForURL(new RegExp(`/cases/${caseId}$`));
    expect(await page.locator("main").textContent()).toContain("Fien Fictief");
    expect(await page.locator("main").textContent()).toContain("Identiteit verbeterd");
    await expectAccessible(page, "case-after-rectify");
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 120_000);

  it("the DPO opens retention and purge and the rectification search from the navigation, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, dpo, "/");
    await page.getByRole("link", { name: "Bewaring en wissing" }).click();
    await page.waitForURL(/\/retention$/);
    expect(await page.locator("h1").textContent()).toBe("Bewaring en wissing");
    await expectAccessible(page, "retention");

    await page.getByRole("link", { name: "Rectificatie" }).click();
    await page.waitForURL(/\/rectify$/);
    await page.getByLabel("Volledige naam").fill("Fien Fictief");
    await page.getByLabel("Geboortedatum").fill("2009-03-28");
    await page.getByRole("button", { name: "Zoeken" }).click();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    expect(page.url()).not.toContain("Fien");
    await expectAccessible(page, "rectify-search");
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
