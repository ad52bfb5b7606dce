import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeLivc } from "../../src/modules/cases/testing";
import { addMembership } from "../../src/modules/registry/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/** Decision 0053 in a real browser: the reporter saves a draft, thinks better of it and deletes it (plain forms, no script needed). */
describeBrowser("journey: a reporter deletes their own draft", () => {
  let server: TestServer;
  let browser: Browser;
  let reporter: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const livc = await makeLivc(server.ctx, "DRFT");
    await addMembership(server.ctx.database, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    reporter = await createUser(server.ctx, { roles: [{ livcId: livc, role: "reporter" }] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("saves a draft, goes back from the confirmation once, then deletes it; the list says so; no axe violations", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, reporter, "/reports/new");
    await page.locator("#subject_name").fill("Fictieve Twijfel");
    await page.locator("#observation").fill("Nog niet zeker of dit een melding waard is.");
    await page.getByRole("button", { name: "Bewaar als concept" }).click();
    await page.waitForURL(/\/reports\/M-[^/]+\/edit\?saved=1$/);
    const reference = /\/reports\/(M-[^/]+)\/edit/.exec(page.url())![1];
    expect(await page.locator("main").textContent()).toContain("30 dagen");
    await expectAccessible(page, "draft-saved");

    await page.getByRole("link", { name: "Concept verwijderen" }).click();
    await page.waitForURL(new RegExp(`/reports/${reference}/discard$`));
    expect(await page.locator("h1").textContent()).toBe(`Concept ${reference} verwijderen?`);
    await expectAccessible(page, "discard-confirm");
    // Changing one's mind: back to the draft, still there with its text.
    await page.getByRole("link", { name: "Nee, terug naar het concept" }).click();
    await page.waitForURL(new RegExp(`/reports/${reference}/edit$`));
    expect(await page.locator("#subject_name").inputValue()).toBe("Fictieve Twijfel");

    await page.getByRole("link", { name: "Concept verwijderen" }).click();
    await page.getByRole("button", { name: "Ja, concept definitief verwijderen" }).click();
    await page.waitForURL(/\/reports\?done=discarded$/);
    expect(await page.getByRole("status").textContent()).toContain("Het concept is verwijderd.");
    expect(await page.locator("main").textContent()).not.toContain(reference);
    await expectAccessible(page, "list-after-discard");

    // The old address of the draft is gone.
    const gone = await page.goto(`${server.baseUrl}/reports/${reference}/edit`);
    expect(gone?.status()).toBe(404);
    expect(await server.ctx.database.db.selectFrom("report").select("id").where("reference", "=", reference).executeTakeFirst()).toBeUndefined();
    expect(errors.filter((e) => !e.includes("status of 404"))).toEqual([]);
    await context.close();
  }, 120_000);
});
