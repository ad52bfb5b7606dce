import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeActor, makeLivc } from "../../src/modules/cases/testing";
import { emptyForm } from "../../src/modules/intake/schema";
import { decide, fileReport } from "../../src/modules/intake/service";
import { addMembership } from "../../src/modules/registry/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("journey: a coordinator corrects a case's name and its source report's with it; the DPO opens retention and purge", () => {
  let server: TestServer;
  let browser: Browser;
  let coordinator: TestUser;
  let dpo: TestUser;
  let caseId: string;
  let reportId: string;
  let reference: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const livc = await makeLivc(server.ctx, "RECT");
    coordinator = await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] });
    dpo = await createUser(server.ctx, { platformRoles: ["dpo"] });
    // The case comes from a report (decision 0050): filed by a reporter, taken up by a coordinator.
    await addMembership(server.ctx.database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    const reporter = await makeActor(server.ctx, [{ livcId: livc, role: "reporter" }]);
    const lead = await makeActor(server.ctx, [{ livcId: livc, role: "coordinator" }]);
    const form = { ...emptyForm(), identity_known: "known", subject_name: "Fien Fictiff", subject_birth_date: "2009-03-27", municipality_nis: "44021", signals: ["supports_violence"], since: "weeks", person_knows: "no", observation: "Waarneming", reporter_contact: "09 123 45 67" };
    const made = await fileReport(server.ctx, { actor: reporter }, form, "submit");
    if (made.kind !== "submitted") throw new Error(made.kind);
    reference = made.reference;
    reportId = (await server.ctx.database.db.selectFrom("report").select("id").where("reference", "=", reference).executeTakeFirstOrThrow()).id;
    const taken = await decide(server.ctx, { actor: lead }, reportId, { transition: "take_up", reason: "Partners nodig.", referralService: "" });
    if (taken.kind !== "ok" || !taken.caseId) throw new Error(taken.kind);
    caseId = taken.caseId;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the coordinator sees the source report offered (ticked), is refused an empty name (summary linked, input and box kept), then saves the corrected one for case and report together, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, coordinator, `/cases/${caseId}`);
    await page.getByRole("link", { name: "Identiteit verbeteren" }).click();
    await page.waitForURL(new RegExp(`/cases/${caseId}/identity$`));
    await expectAccessible(page, "rectify-case");
    expect(await page.getByLabel("Volledige naam").inputValue()).toBe("Fien Fictiff");
    expect(await page.locator("#linked-from").textContent()).toBe(`Deze casus kwam uit melding ${reference}.`);
    const alsoReport = page.getByLabel(`Verbeter ook melding ${reference}`, { exact: false });
    expect(await alsoReport.isChecked()).toBe(true);

    await page.getByLabel("Volledige naam").fill("");
    await page.getByLabel("Geboortedatum", { exact: true }).fill("2009-03-28");
    await page.getByLabel("Reden van de verbetering").selectOption("typo");
    await page.getByRole("button", { name: "Verbetering opslaan" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#full_name"]);
    expect(await page.getByLabel("Geboortedatum", { exact: true }).inputValue()).toBe("2009-03-28");
    expect(await page.getByLabel("Reden van de verbetering").inputValue()).toBe("typo");
    expect(await alsoReport.isChecked()).toBe(true);
    await expectAccessible(page, "rectify-case-errors");

    await page.getByLabel("Volledige naam").fill("Fien Fictief");
    await page.getByRole("button", { name: "Verbetering opslaan" }).click();
    await page.waitForURL(new RegExp(`/cases/${caseId}$`));
    expect(await page.locator("main").textContent()).toContain("Fien Fictief");
    expect(await page.locator("main").textContent()).toContain("Identiteit verbeterd");
    await expectAccessible(page, "case-after-rectify");

    // The report changed with it (its screening page and history), and its own form offers the case back.
    await page.goto(`${server.baseUrl}/screening/${reportId}`);
    expect(await page.locator("main").textContent()).toContain("Fien Fictief");
    expect(await page.locator("main").textContent()).toContain("Identiteit verbeterd (tikfout)");
    await page.goto(`${server.baseUrl}/screening/${reportId}/identity`);
    expect(await page.getByLabel("Volledige naam").inputValue()).toBe("Fien Fictief");
    expect(await page.getByLabel("Verbeter ook casus", { exact: false }).isChecked()).toBe(true);
    await expectAccessible(page, "rectify-report-linked");
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
    // The case and its source report, both under the corrected data.
    await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
    expect(page.url()).not.toContain("Fien");
    await expectAccessible(page, "rectify-search");
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
