import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addMembership, createLivc } from "../../src/modules/registry/service";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/**
 * The intake journey in a real browser, once with JavaScript and once without:
 * a reporter files a report (after an error round), a coordinator screens it, the reporter sees the status.
 */
describeBrowser("journey: report a signal, screen it, follow the status", () => {
  let server: TestServer;
  let browser: Browser;
  // One pair of accounts per journey: a second login of the same account would wait for a new TOTP step.
  const people: Record<"js" | "nojs", { reporter: TestUser; coordinator: TestUser }> = {} as never;

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.ctx.database;
    const livc = await createLivc(db, { actor: null }, {
      code: "GENT", name: "LIVC Gent", founded_on: "2019-01-01", chair_user_id: null, chair_name: null, coordinator_user_id: null, coordinator_name: null, info_officer_user_id: null, info_officer_name: null,
    });
    await addMembership(db, { actor: null }, livc, { nis: "44021", joined_on: "2019-01-01", left_on: null });
    for (const k of ["js", "nojs"] as const) {
      people[k] = {
        reporter: await createUser(server.ctx, { roles: [{ livcId: livc, role: "reporter" }] }),
        coordinator: await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] }),
      };
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /**
   * axe runs as a script in the page, which a context without JavaScript cannot do: there, the exact
   * HTML the server sent is checked in a scripted page on the same origin (same markup, same CSS).
   */
  async function accessible(page: Page, label: string, js: boolean) {
    if (js) return expectAccessible(page, label);
    const html = await page.content();
    const checker = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE" });
    const copy = await checker.newPage();
    await copy.goto("/healthz");
    await copy.setContent(html, { waitUntil: "load" });
    await expectAccessible(copy, label);
    await checker.close();
  }

  const open = async (javaScriptEnabled: boolean) => {
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE", javaScriptEnabled });
    return { context, page: await context.newPage() };
  };

  async function fileReport(page: Page, label: string, name: string, js: boolean): Promise<string> {
    await page.goto("/reports");
    await accessible(page, `${label}-mine`, js);
    await page.getByRole("link", { name: "Nieuwe melding" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Een zorgwekkend signaal melden");
    await accessible(page, `${label}-form`, js);
    // First round: almost nothing filled in; the summary links to the fields and keeps the input.
    await page.locator("#subject_name").fill(name);
    await page.getByRole("button", { name: "Verstuur melding" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator("#subject_name").inputValue()).toBe(name);
    expect(await page.locator(".error-summary a").first().getAttribute("href")).toBe("#identity_known");
    await accessible(page, `${label}-form-errors`, js);
    // Second round: complete.
    await page.locator("#identity_known").check();
    await page.locator("#subject_birth_date").fill("2000-02-03");
    await page.locator("#municipality_nis").selectOption("44021");
    await page.getByLabel("Deelt of toont extremistisch materiaal (teksten, video's, beelden)").check();
    await page.locator("#observation").fill("Showed a propaganda video to classmates on Tuesday <b>twice</b>.");
    await page.locator("#since").selectOption("weeks");
    await page.locator("#person_knows").check();
    await page.locator("#reporter_contact").fill("09 111 22 33");
    await page.getByRole("button", { name: "Verstuur melding" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Melding ontvangen");
    await accessible(page, `${label}-received`, js);
    return (await page.locator("#reference").textContent())!;
  }

  for (const js of [true, false]) {
    const label = js ? "intake-js" : "intake-nojs";
    it(`reports, screens and shows the status with JavaScript ${js ? "on" : "off"}`, async () => {
      const { reporter, coordinator } = people[js ? "js" : "nojs"];
      const r = await open(js);
      const errors = watchPageErrors(r.page);
      await loginInBrowser(r.page, reporter, "/reports");
      const name = js ? "Browser Persoon Een" : "Browser Persoon Twee";
      const reference = await fileReport(r.page, label, name, js);
      expect(reference).toMatch(/^M-/);

      const c = await open(js);
      await loginInBrowser(c.page, coordinator, "/screening");
      await c.page.goto("/screening");
      await accessible(c.page, `${label}-queue`, js);
      await c.page.getByRole("link", { name: `Open ${reference}` }).click();
      await expect.poll(() => c.page.locator("#subject-name").textContent()).toBe(name);
      expect(await c.page.locator("#observation").textContent()).toContain("<b>twice</b>"); // shown as text
      await accessible(c.page, `${label}-screening`, js);
      // Refer without a service: an error linked to the field; then with one.
      await c.page.getByLabel("Doorverwijzen naar reguliere hulpverlening").check();
      await c.page.locator("#reason").fill("Fits the pupil guidance centre.");
      await c.page.getByRole("button", { name: "Bewaar beslissing" }).click();
      await expect.poll(() => c.page.locator(".error-summary a").getAttribute("href")).toBe("#referral_service");
      expect(await c.page.locator("#reason").inputValue()).toBe("Fits the pupil guidance centre.");
      await accessible(c.page, `${label}-decision-error`, js);
      await c.page.getByLabel("Doorverwijzen naar reguliere hulpverlening").check();
      await c.page.locator("#referral_service").selectOption("clb");
      await c.page.getByRole("button", { name: "Bewaar beslissing" }).click();
      await expect.poll(() => c.page.locator("#current-status").textContent()).toBe("Doorverwezen naar reguliere hulpverlening");
      await accessible(c.page, `${label}-decided`, js);

      await r.page.goto("/reports");
      await r.page.getByRole("link", { name: reference }).click();
      await expect.poll(() => r.page.locator("#status").textContent()).toBe("Doorverwezen naar reguliere hulpverlening");
      const text = await r.page.locator("main").textContent();
      expect(text).not.toContain(name);
      expect(text).not.toContain("pupil guidance");
      await accessible(r.page, `${label}-status`, js);
      // A form with errors answers 400 on purpose (Chromium logs that status); anything else is a failure.
      expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
      await r.context.close();
      await c.context.close();
    }, 180_000);
  }
});
