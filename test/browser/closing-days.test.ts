import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessibleAsSeen, launchBrowser, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput, makeTestLivc } from "../support/livc";

/**
 * An LIVC's closing days in a real browser, once with JavaScript and once without: the coordinator
 * goes from the screening queue to the page, adds a day with a bad value first (error summary linked
 * to the field, typed values kept), then a good one, then removes it. Zero axe violations on each page.
 */
describeBrowser("journey: an LIVC's closing days", () => {
  let server: TestServer;
  let browser: Browser;
  let livc: string;
  // One account per journey: a second login of the same account would wait for a new TOTP step.
  const coordinators: Record<"js" | "nojs", TestUser> = {} as never;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHAKEL_EXTRA_HOLIDAYS: "12-26" } });
    livc = await makeTestLivc(server.ctx.database, { actor: null }, livcInput("KERMIS", "LIVC Kermis"), ["44021"]);
    for (const k of ["js", "nojs"] as const) coordinators[k] = await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const js of [true, false]) {
    const label = js ? "closing-days-js" : "closing-days-nojs";
    it(`adds (after an error), lists and removes a closing day with JavaScript ${js ? "on" : "off"}`, async () => {
      const context = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE", javaScriptEnabled: js });
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      await loginInBrowser(page, coordinators[js ? "js" : "nojs"], "/screening");
      await page.goto("/screening");
      await expectAccessibleAsSeen(page, `${label}-queue`, js);
      await page.getByRole("link", { name: "Sluitingsdagen van dit LIVC beheren" }).click();
      await expect.poll(() => page.locator("h1").textContent()).toBe("Sluitingsdagen van LIVC Kermis");
      expect(await page.locator("#installation-days").textContent()).toBe("26 december, elk jaar");
      expect(await page.locator("#closing-days").count()).toBe(0);
      await expectAccessibleAsSeen(page, `${label}-page`, js);

      // A day that does not exist: the summary links to the field, both typed values stay.
      await page.locator("#day").fill("31-09");
      await page.locator("#description").fill("Kermismaandag");
      await page.getByRole("button", { name: "Sluitingsdag toevoegen" }).click();
      await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
      expect(await page.locator(".error-summary a").first().getAttribute("href")).toBe("#day");
      expect(await page.locator("#day").inputValue()).toBe("31-09");
      expect(await page.locator("#description").inputValue()).toBe("Kermismaandag");
      expect(await page.locator("#day").getAttribute("aria-invalid")).toBe("true");
      await expectAccessibleAsSeen(page, `${label}-error`, js);

      await page.locator("#day").fill("09-15");
      await page.getByRole("button", { name: "Sluitingsdag toevoegen" }).click();
      await expect.poll(() => page.locator(".notice.success").textContent()).toContain("De sluitingsdag is toegevoegd.");
      expect(await page.locator("#closing-days tbody tr").count()).toBe(1);
      expect(await page.locator("#closing-days tbody td").first().textContent()).toBe("15 september, elk jaar");
      await expectAccessibleAsSeen(page, `${label}-added`, js);

      await page.getByRole("button", { name: "Verwijderen 15 september, elk jaar" }).click();
      await expect.poll(() => page.locator(".notice.success").textContent()).toContain("De sluitingsdag is verwijderd.");
      expect(await page.locator("#closing-days").count()).toBe(0);
      await expectAccessibleAsSeen(page, `${label}-removed`, js);
      // The refused form answers 400 on purpose (Chromium logs that status); anything else is a failure.
      expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
      expect(errors.length).toBe(1);
      await context.close();
    });
  }
});
