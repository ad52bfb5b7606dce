import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { campaignAdvice, listCampaigns } from "../../src/modules/awareness/service";
import { createUser, loginInBrowser } from "../support/auth";
import { ARTIFACTS, describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("journey: the awareness round", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ demo: true });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("an organisation answers without an account, the analyst sees the result and downloads the advice PDF", async () => {
    const campaign = (await listCampaigns(server.ctx.database.db))[0];
    const analyst = await createUser(server.ctx, { platformRoles: ["regional_analyst"] });

    // The analyst creates an anonymous link for a youth organisation in Limburg.
    const a = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(a.page);
    await loginInBrowser(a.page, analyst, "/awareness");
    await expectAccessible(a.page, "awareness-campaigns");
    await a.page.getByRole("link", { name: campaign.name }).click();
    await expectAccessible(a.page, "awareness-campaign");
    await a.page.getByRole("link", { name: "Links aanmaken" }).click();
    await a.page.getByLabel("Anoniem (enkel sector en provincie, geen organisatie)").check();
    await a.page.getByLabel("Sector", { exact: true }).selectOption("youth_work");
    await a.page.getByLabel("Provincie", { exact: true }).selectOption("Limburg");
    await expectAccessible(a.page, "awareness-links-form");
    await a.page.getByRole("button", { name: "Links aanmaken" }).click();
    const url = (await a.page.locator("code.survey-link").first().textContent())!;
    expect(url).toMatch(/\/survey\/[A-Za-z0-9_-]{43}$/);
    await expectAccessible(a.page, "awareness-links-created");

    // The organisation answers in a fresh browser context, without an account.
    const o = await newPage(browser, server.baseUrl);
    const orgErrors = watchPageErrors(o.page);
    await o.page.goto(new URL(url).pathname);
    await expectAccessible(o.page, "awareness-survey");
    await o.page.getByRole("button", { name: "Antwoorden versturen" }).click();
    await expect.poll(() => o.page.locator(".error-summary").count()).toBe(1);
    await expectAccessible(o.page, "awareness-survey-errors");
    await o.page.getByLabel("Nee, nog nooit uitgenodigd").check();
    await o.page.getByLabel("Onze rol in het overleg is niet duidelijk").check();
    await o.page.getByLabel("Wantrouwen tegenover wat de politie met de informatie doet").check();
    await o.page.locator("fieldset").nth(2).getByLabel("3", { exact: true }).check();
    await o.page.getByRole("button", { name: "Antwoorden versturen" }).click();
    await expect.poll(() => o.page.locator("h1").textContent()).toBe("Bedankt voor uw antwoorden");
    await expectAccessible(o.page, "awareness-survey-done");
    await o.page.goto(new URL(url).pathname);
    expect(await o.page.locator("h1").textContent()).toBe("Deze link is al gebruikt");
    // The 400 (missing answers) and 410 (used link) pages are expected; nothing else may fail.
    expect(orgErrors.filter((e) => !/status of (400|410) /.test(e))).toEqual([]);
    await o.context.close();

    // The analyst sees the result: the youth-work answers in Limburg.
    await a.page.goto(`/awareness/campaigns/${campaign.id}/analysis?sector=youth_work&province=Limburg`);
    await expectAccessible(a.page, "awareness-analysis");
    expect(await a.page.locator("#response-count").textContent()).toContain("<5");
    await a.page.goto(`/awareness/campaigns/${campaign.id}/analysis`);
    await expectAccessible(a.page, "awareness-analysis-all");

    // The advice list, one municipality, and its PDF: a Limburg municipality where youth work is present
    // but not at the LIVC's table (from the demo data; the youth-work answer above is about Limburg).
    const target = (await campaignAdvice(server.ctx, campaign.id)).find((x) => x.government.province === "Limburg" && x.missing.some((m) => m.sector === "youth_work"));
    expect(target, "a Limburg municipality with youth work present and not taking part").toBeDefined();
    const place = target!.government.name;
    await a.page.goto(`/awareness/campaigns/${campaign.id}/advice`);
    await expectAccessible(a.page, "awareness-advice-list");
    await a.page.getByRole("link", { name: place, exact: true }).click();
    await expect.poll(() => a.page.locator("h1").textContent()).toContain(place);
    await expectAccessible(a.page, "awareness-advice-municipality");
    const [download] = await Promise.all([a.page.waitForEvent("download"), a.page.getByRole("link", { name: "Download PDF" }).click()]);
    const file = path.join(ARTIFACTS, "advice-municipality.pdf");
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await download.saveAs(file);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain(`Advies sensibiliseringsronde: ${place}`);
    expect(text).toContain("Jeugdwerk");
    expect(text).toContain("Onduidelijke rol");
    expect(errors).toEqual([]);
    await a.context.close();
  }, 120_000);
});
