import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addDays, todayInBrussels } from "../../src/platform/db/values";
import { previousQuarterEnd } from "../../src/modules/partners/report";
import { addOrganisationContact, respondToInvitation, sendInvitation } from "../../src/modules/partners/service";
import { makeLivc, makeOrg, system } from "../../src/modules/partners/testkit";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/** The count of a decline reason in the CAW row of the analyst's sector table ("0" when absent). */
async function cawReasonCount(page: Page, reason: string): Promise<string> {
  const cell = page.locator(`#by-sector tr[data-sector="caw"] [data-reason="${reason}"]`);
  if ((await cell.count()) === 0) return "0";
  return ((await cell.textContent()) ?? "").split(":").pop()!.trim();
}

describeBrowser("journey: a chair invites a CAW, its contact declines with a reason; the analyst sees the ended quarters", () => {
  let server: TestServer;
  let browser: Browser;
  let chair: TestUser;
  let contact: TestUser;
  let analyst: TestUser;
  let livc = "";

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const ctx = server.ctx;
    livc = await makeLivc(ctx, "LIVC Teststad", ["44021"]);
    const caw = await makeOrg(ctx, "CAW Teststad", "caw");
    chair = await createUser(ctx, { roles: [{ livcId: livc, role: "chair" }], displayName: "Voorzitter Test" });
    contact = await createUser(ctx, { organisationId: caw, displayName: "Contact CAW Test" });
    analyst = await createUser(ctx, { platformRoles: ["regional_analyst"] });
    await addOrganisationContact(ctx, system, caw, contact.id);
    // Five earlier declines for "no capacity" by CAWs elsewhere, in the last quarter that has ended: the
    // regional figure is shown (not "<5"). The regional figures count whole ended quarters only (decision 0052).
    const sent = addDays(previousQuarterEnd(todayInBrussels()), -20);
    for (let i = 0; i < 5; i++) {
      const other = await makeLivc(ctx, `LIVC Elders ${i}`, [["12025", "24062", "31005", "71016", "73022"][i]]);
      const otherCaw = await makeOrg(ctx, `CAW Elders ${i}`, "caw");
      const id = await sendInvitation(ctx, system, { livcId: other, organisationId: otherCaw, kind: "structural", today: sent });
      await respondToInvitation(ctx, system, id, { answer: "decline", reason: "no_capacity", today: addDays(sent, 1) });
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("runs the whole journey without axe violations", async () => {
    // The analyst sees 5 declines for "no capacity" in the CAW row.
    const a = await newPage(browser, server.baseUrl);
    const aErrors = watchPageErrors(a.page);
    await loginInBrowser(a.page, analyst, "/monitoring/participation");
    await a.page.goto("/monitoring/participation");
    expect(await cawReasonCount(a.page, "no_capacity")).toBe("5");
    await expectAccessible(a.page, "participation-before");

    // The chair invites the CAW.
    const c = await newPage(browser, server.baseUrl);
    const cErrors = watchPageErrors(c.page);
    await loginInBrowser(c.page, chair, `/partners/livc/${livc}`);
    await c.page.goto("/partners");
    await c.page.getByRole("link", { name: /LIVC Teststad/ }).click();
    await expectAccessible(c.page, "partners-livc");
    // The CAW does not work in the LIVC's municipality: the chair finds it by name.
    expect(await c.page.locator("#organisation_id option", { hasText: "CAW Teststad" }).count()).toBe(0);
    await c.page.getByLabel("Naam van de organisatie").fill("caw test");
    await c.page.getByRole("button", { name: "Organisaties zoeken" }).click();
    await expectAccessible(c.page, "partners-livc-search");
    const select = c.page.locator("#organisation_id");
    await select.selectOption((await select.locator("option", { hasText: "CAW Teststad" }).getAttribute("value"))!);
    await c.page.getByRole("button", { name: "Uitnodiging versturen" }).click();
    await expect.poll(() => c.page.locator(".notice").textContent()).toContain("De uitnodiging is verstuurd");
    expect(await c.page.locator("table", { hasText: "CAW Teststad" }).last().textContent()).toContain("wacht op antwoord");
    await expectAccessible(c.page, "partners-invited");

    // The contact declines: first without a reason (refused), then with one.
    const p = await newPage(browser, server.baseUrl);
    const pErrors = watchPageErrors(p.page);
    await loginInBrowser(p.page, contact, "/invitations");
    await p.page.goto("/invitations");
    await expectAccessible(p.page, "invitations-inbox");
    // On a 360 px phone the inbox reflows (WCAG 1.4.10): the table scrolls inside its own focusable region,
    // the page itself never sideways, and the answer link stays reachable.
    await p.page.setViewportSize({ width: 360, height: 800 });
    await expectAccessible(p.page, "invitations-inbox-360");
    expect(await p.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await p.page.locator("main .table-scroll table").count()).toBe(1);
    const answer = p.page.getByRole("link", { name: /Bekijken en antwoorden/ });
    await answer.focus();
    expect(await answer.evaluate((e) => e.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
    await p.page.setViewportSize({ width: 1280, height: 800 });
    await p.page.getByRole("link", { name: /Bekijken en antwoorden/ }).click();
    await p.page.getByLabel("Wij nemen niet deel").check();
    await p.page.getByRole("button", { name: "Antwoord versturen" }).click();
    await expect.poll(() => p.page.locator(".error-summary").textContent()).toContain("wie weigert, moet een reden geven");
    expect(await p.page.locator(".error-summary a").getAttribute("href")).toBe("#reason");
    expect(await p.page.getByLabel("Wij nemen niet deel").isChecked()).toBe(true);
    await expectAccessible(p.page, "invitation-decline-error");
    await p.page.getByLabel("Geen capaciteit").check();
    await p.page.getByRole("button", { name: "Antwoord versturen" }).click();
    await expect.poll(() => p.page.locator(".notice").textContent()).toContain("U hebt de uitnodiging geweigerd");
    await expectAccessible(p.page, "invitation-declined");

    // The analyst's figures count whole ended quarters (decision 0052): today's decline is not in them yet,
    // so no day's answer can be read by comparing two dates. The page says which quarters it shows.
    await a.page.goto("/monitoring/participation");
    expect(await cawReasonCount(a.page, "no_capacity")).toBe("5");
    expect(await a.page.locator("#window-notice").textContent()).toContain("Het lopende kwartaal telt niet mee");
    const row = a.page.locator("#matrix tr", { hasText: "LIVC Teststad" });
    expect(await row.locator(".tag.red").count()).toBe(0);
    expect(await a.page.content()).not.toContain("Contact CAW Test");
    await expectAccessible(a.page, "participation-after");

    // The chair sees the reason inside the LIVC.
    await c.page.goto(`/partners/livc/${livc}`);
    expect(await c.page.locator("table", { hasText: "CAW Teststad" }).last().textContent()).toContain("Geen capaciteit");
    // The refused decline answered 400 on purpose (the form with its errors); nothing else failed.
    expect(pErrors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect([...aErrors, ...cErrors, ...pErrors.filter((e) => !e.includes("status of 400"))]).toEqual([]);
    for (const x of [a, c, p]) await x.context.close();
  });
});
