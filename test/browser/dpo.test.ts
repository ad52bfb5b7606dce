import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { todayInBrussels } from "../../src/platform/db/values";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

describeBrowser("journey: the data-protection officer searches the audit log and opens subject access", () => {
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

  it("searches the log (a refused date first) and reaches subject access, without axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, dpo, "/");
    await page.getByRole("link", { name: "Auditlog", exact: true }).click();
    await page.waitForURL(/\/audit$/);
    await expectAccessible(page, "audit-log");
    // Her own login is in today's log.
    expect(await page.locator("table").textContent()).toContain("Dora Privacy");

    await page.getByLabel("Van", { exact: true }).fill("29-11-2026");
    await page.getByLabel("Handeling", { exact: true }).fill("Login");
    await page.getByRole("button", { name: "Zoeken" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator(".error-summary a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#from", "#action"]);
    expect(await page.getByLabel("Van", { exact: true }).inputValue()).toBe("29-11-2026");
    await expectAccessible(page, "audit-log-errors");

    await page.getByLabel("Van", { exact: true }).fill(todayInBrussels());
    await page.getByLabel("Handeling", { exact: true }).fill("login.");
    await page.getByLabel("Account (e-mailadres)").fill(dpo.email);
    await page.getByRole("button", { name: "Zoeken" }).click();
    await page.waitForURL(/actor_id=/);
    expect(page.url()).not.toContain("%40");
    expect(await page.locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await page.locator("tbody").textContent()).toContain("login.");
    await expectAccessible(page, "audit-log-filtered");

    await page.getByRole("link", { name: "Inzageverzoek" }).click();
    await page.waitForURL(/\/subject-access$/);
    await expectAccessible(page, "subject-access");
    // The refused search answered 400 on purpose; nothing else failed.
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
    await context.close();
  }, 120_000);
});
