import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { newId } from "../../src/platform/db/values";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessibleAsSeen, launchBrowser, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput, makeTestLivc } from "../support/livc";

/**
 * The intake journey in a real browser, once with JavaScript and once without:
 * a reporter files a report (after an error round), a coordinator screens it, the reporter sees the status.
 */
describeBrowser("journey: report a signal, screen it, follow the status", () => {
  let server: TestServer;
  let browser: Browser;
  // One pair of accounts per journey: a second login of the same account would wait for a new TOTP step.
  const people: Record<"js" | "nojs", { reporter: TestUser; coordinator: TestUser }> = {} as never;
  // A second LIVC with a long queue (inserted directly: the list never decrypts) for the paging journey.
  let pagingCoordinator: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.ctx.database;
    const livc = await makeTestLivc(db, { actor: null }, livcInput("GENT", "LIVC Gent"), ["44021"]);
    for (const k of ["js", "nojs"] as const) {
      people[k] = {
        reporter: await createUser(server.ctx, { roles: [{ livcId: livc, role: "reporter" }] }),
        coordinator: await createUser(server.ctx, { roles: [{ livcId: livc, role: "coordinator" }] }),
      };
    }
    const aalst = await makeTestLivc(db, { actor: null }, livcInput("AALST", "LIVC Aalst"), ["41002"]);
    pagingCoordinator = await createUser(server.ctx, { roles: [{ livcId: aalst, role: "coordinator" }] });
    // Imported here: a top-level import of the store would load intake before the platform policy (import cycle).
    const { insertReport } = await import("../../src/modules/intake/store");
    for (let i = 0; i < 62; i++) {
      const day = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      const decided = i >= 55;
      await insertReport(db.db, {
        id: newId(), reference: `M-PAGE${String(i).padStart(2, "0")}`, status: decided ? "no_action" : "received", reporter_user_id: pagingCoordinator.id, reporter_organisation_id: null,
        livc_id: aalst, regional_queue: null, municipality_nis: "41002", routed_on: day, identity_known: 1, minor: 0, danger_now: 0, notify_status: 0, subject_index: null,
        content_enc: "not-ciphertext", created_at: `${day}T09:00:00.000Z`, updated_at: `${day}T09:00:00.000Z`, submitted_at: `${day}T09:00:00.000Z`, screening_due_on: day,
        retention_until: null, decided_at: decided ? `${day}T12:00:00.000Z` : null, case_id: null,
      });
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (javaScriptEnabled: boolean) => {
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE", javaScriptEnabled });
    return { context, page: await context.newPage() };
  };

  async function fileReport(page: Page, label: string, name: string, js: boolean): Promise<string> {
    await page.goto("/reports");
    await expectAccessibleAsSeen(page, `${label}-mine`, js);
    await page.getByRole("link", { name: "Nieuwe melding" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Een zorgwekkend signaal melden");
    await expectAccessibleAsSeen(page, `${label}-form`, js);
    // First round: almost nothing filled in; the summary links to the fields and keeps the input.
    await page.locator("#subject_name").fill(name);
    await page.getByRole("button", { name: "Verstuur melding" }).click();
    await expect.poll(() => page.locator(".error-summary").count()).toBe(1);
    expect(await page.locator("#subject_name").inputValue()).toBe(name);
    expect(await page.locator(".error-summary a").first().getAttribute("href")).toBe("#identity_known");
    await expectAccessibleAsSeen(page, `${label}-form-errors`, js);
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
    await expectAccessibleAsSeen(page, `${label}-received`, js);
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
      await expectAccessibleAsSeen(c.page, `${label}-queue`, js);
      await c.page.getByRole("link", { name: `Open ${reference}` }).click();
      await expect.poll(() => c.page.locator("#subject-name").textContent()).toBe(name);
      expect(await c.page.locator("#observation").textContent()).toContain("<b>twice</b>"); // shown as text
      await expectAccessibleAsSeen(c.page, `${label}-screening`, js);
      // Refer without a service: an error linked to the field; then with one.
      await c.page.getByLabel("Doorverwijzen naar reguliere hulpverlening").check();
      await c.page.locator("#reason").fill("Fits the pupil guidance centre.");
      await c.page.getByRole("button", { name: "Bewaar beslissing" }).click();
      await expect.poll(() => c.page.locator(".error-summary a").getAttribute("href")).toBe("#referral_service");
      expect(await c.page.locator("#reason").inputValue()).toBe("Fits the pupil guidance centre.");
      await expectAccessibleAsSeen(c.page, `${label}-decision-error`, js);
      await c.page.getByLabel("Doorverwijzen naar reguliere hulpverlening").check();
      await c.page.locator("#referral_service").selectOption("clb");
      await c.page.getByRole("button", { name: "Bewaar beslissing" }).click();
      await expect.poll(() => c.page.locator("#current-status").textContent()).toBe("Doorverwezen naar reguliere hulpverlening");
      await expectAccessibleAsSeen(c.page, `${label}-decided`, js);

      await r.page.goto("/reports");
      await r.page.getByRole("link", { name: reference }).click();
      await expect.poll(() => r.page.locator("#status").textContent()).toBe("Doorverwezen naar reguliere hulpverlening");
      const text = await r.page.locator("main").textContent();
      expect(text).not.toContain(name);
      expect(text).not.toContain("pupil guidance");
      await expectAccessibleAsSeen(r.page, `${label}-status`, js);
      // A form with errors answers 400 on purpose (Chromium logs that status); anything else is a failure.
      expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
      await r.context.close();
      await c.context.close();
    }, 180_000);
  }

  it("pages through a long queue and reaches decided reports without JavaScript", async () => {
    const c = await open(false);
    await loginInBrowser(c.page, pagingCoordinator, "/screening");
    await c.page.goto("/screening");
    expect(await c.page.locator("tbody tr").count()).toBe(50);
    expect(await c.page.locator("main").textContent()).toContain("Meldingen 1 tot 50 van 55");
    await expectAccessibleAsSeen(c.page, "intake-queue-page1", false);
    await c.page.getByRole("link", { name: "Volgende pagina" }).click();
    await expect.poll(() => c.page.locator("tbody tr").count()).toBe(5);
    expect(await c.page.getByRole("link", { name: "Open M-PAGE54" }).count()).toBe(1);
    await expectAccessibleAsSeen(c.page, "intake-queue-page2", false);
    await c.page.getByRole("link", { name: "Beslist (7)" }).click();
    await expect.poll(() => c.page.locator("tbody tr").count()).toBe(7);
    expect(await c.page.locator("tbody tr").first().textContent()).toContain("M-PAGE61");
    await expectAccessibleAsSeen(c.page, "intake-queue-decided", false);
    await c.context.close();
  }, 120_000);
});
