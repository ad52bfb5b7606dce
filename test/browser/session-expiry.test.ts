import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, freshTotp, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, startTestServer, type TestServer } from "../support/browser";
import { livcInput, makeTestLivc } from "../support/livc";

/**
 * Decision 0057 in a real browser: a reporter types a report, the session expires meanwhile, the
 * submit answers "your session has ended" (not "no access"), and after logging in again the report
 * is sent from the resume page with the typed text.
 */
describeBrowser("journey: the session ends while typing a report; nothing is lost", () => {
  let server: TestServer;
  let browser: Browser;
  let reporter: TestUser;
  let coordinator: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    const livc = await makeTestLivc(server.ctx.database, { actor: null }, livcInput("GENT", "LIVC Gent"), ["44021"]);
    reporter = await createUser(server.ctx, { roles: [{ livcId: livc, role: "reporter" }] });
    coordinator = await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("types a report, the session expires, sees the session-ended page, logs in, resumes and the report is filed with the text", async () => {
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE" });
    const page = await context.newPage();
    await loginInBrowser(page, reporter, "/reports/new");
    await page.goto("/reports/new");
    await page.locator("#subject_name").fill("Browser Persoon Verlopen");
    await page.locator("#identity_known").check();
    await page.locator("#subject_birth_date").fill("2001-04-05");
    await page.locator("#municipality_nis").selectOption("44021");
    await page.getByLabel("Deelt of toont extremistisch materiaal (teksten, video's, beelden)").check();
    const narrative = "Long narrative typed over forty minutes: shared a recruitment video in the sports club twice.";
    await page.locator("#observation").fill(narrative);
    await page.locator("#since").selectOption("weeks");
    await page.locator("#person_knows").check();
    await page.locator("#reporter_contact").fill("09 111 22 33");

    // Meanwhile the session passes its idle limit.
    const idle = new Date(Date.now() - (server.ctx.config.SCHAKEL_SESSION_IDLE_MINUTES + 1) * 60_000).toISOString();
    await server.ctx.database.db.updateTable("session").set({ last_seen_at: idle }).where("user_id", "=", reporter.id).execute();

    const response = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/reports");
    await page.getByRole("button", { name: "Verstuur melding" }).click();
    expect((await response).status()).toBe(401);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Uw sessie is afgelopen");
    expect(await page.locator("main").textContent()).not.toContain("Geen toegang");
    expect(await page.locator("main").textContent()).not.toContain(narrative);
    await expectAccessible(page, "session-ended");

    // Log in again through the page's own link: it leads to the resume page.
    await page.locator("#login-again").click();
    await page.getByLabel("E-mailadres").fill(reporter.email);
    await page.getByLabel(/^Wachtwoord$/).fill(reporter.password);
    await page.locator("form[action='/login'] button[type=submit]").click();
    await page.waitForURL(/\/login\/mfa/);
    await page.locator("#code").fill(await freshTotp(reporter));
    await page.locator("form[action='/login/mfa'] button[type=submit]").click();
    await page.waitForURL(/\/session\/resume$/);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Verder waar u was");
    expect(await page.locator("#resume-form-name").textContent()).toBe("Een zorgwekkend signaal melden");
    expect(await page.locator("main").textContent()).not.toContain(narrative); // hidden fields only
    await expectAccessible(page, "session-resume");

    await page.locator("#resume-send").click();
    await page.waitForLoadState();
    if ((await page.locator(".error-summary").count()) > 0) throw new Error(`resent form refused: ${await page.locator(".error-summary").textContent()}`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Melding ontvangen");
    const reference = (await page.locator("#reference").textContent())!;
    expect(reference).toMatch(/^M-/);
    // Used up: the resume page now sends on to the start page.
    await page.goto("/session/resume");
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();

    // The coordinator sees the report with the typed narrative.
    const c = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE" });
    const cp = await c.newPage();
    await loginInBrowser(cp, coordinator, "/screening");
    await cp.goto("/screening");
    await cp.getByRole("link", { name: `Open ${reference}` }).click();
    await expect.poll(() => cp.locator("#observation").textContent()).toBe(narrative);
    await c.close();
  });
});
