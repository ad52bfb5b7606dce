import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { decideRequest } from "../../src/modules/identity/approvals";
import { ensureOrganisation } from "../../src/modules/identity/service";
import { membershipsOf, platformRolesOf } from "../../src/modules/identity/store";
import { addDays, todayInBrussels } from "../../src/platform/db/values";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput, makeTestLivc } from "../support/livc";

describeBrowser("an administrator gives (pending approval, decision 0049), ends and changes roles on the account page (decision 0041)", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a refused grant keeps the values and links the error, a good one is listed by name awaiting approval, once approved ending it marks it ended, platform roles saved, dpo requested and approved by a second administrator on /admin/approvals (decision 0049); accessibly", async () => {
    const db = server.ctx.database.db;
    const livcId = await makeTestLivc(server.ctx.database, {}, livcInput("BR-ROL", "LIVC Rollenpad"));
    const orgId = await ensureOrganisation(server.ctx, { name: "CLB Rollenpad", sector: "clb" });
    const person = await createUser(server.ctx, { displayName: "Jana Rolwissel" });
    const admin = await createUser(server.ctx, { platformRoles: ["admin"] });
    const secondAdmin = await createUser(server.ctx, { platformRoles: ["admin"] });
    const { context, page } = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(page);
    await loginInBrowser(page, admin, `/admin/accounts/${person.id}`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Jana Rolwissel");
    expect(await page.locator("#livc-roles + p").textContent()).toBe("Dit account heeft geen LIVC-rol.");
    await expectAccessible(page, "roles-admin-01-account");

    // A reporter without an organisation: refused, the summary links to the field, the choices stay.
    await page.getByLabel("LIVC", { exact: true }).selectOption(livcId);
    await page.getByLabel("Rol", { exact: true }).selectOption("reporter");
    await page.getByRole("button", { name: "Rol geven" }).click();
    await expect.poll(() => page.locator(".error-summary a[href='#organisation_id']").count()).toBe(1);
    expect(await page.getByLabel("LIVC", { exact: true }).inputValue()).toBe(livcId);
    expect(await page.getByLabel("Rol", { exact: true }).inputValue()).toBe("reporter");
    expect(await page.getByLabel("Vanaf").inputValue()).toBe(todayInBrussels());
    await expectAccessible(page, "roles-admin-02-refused");

    // The organisation is found by a name search inside the form (not a list of every organisation): the
    // search keeps what was chosen and typed, and gives nothing.
    expect(await page.locator("#organisation_id option", { hasText: "CLB Rollenpad" }).count()).toBe(0);
    await page.getByLabel("Organisatie zoeken").fill("rollenpad");
    await page.getByRole("button", { name: "Organisaties zoeken" }).click();
    await expect.poll(() => page.locator("#org-search-result").textContent()).toContain("Organisaties gevonden: 1.");
    expect(await page.getByLabel("LIVC", { exact: true }).inputValue()).toBe(livcId);
    expect(await page.getByLabel("Rol", { exact: true }).inputValue()).toBe("reporter");
    expect(await page.locator(".error-summary").count()).toBe(0);
    expect(await membershipsOf(db, person.id)).toEqual([]);
    await expectAccessible(page, "roles-admin-02b-organisation-search");
    await page.getByLabel("Organisatie", { exact: true }).selectOption(orgId);
    await page.getByRole("button", { name: "Rol geven" }).click();
    await page.waitForURL(/saved=grant/);
    const row = page.locator("#memberships tbody tr");
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain("LIVC Rollenpad (BR-ROL)");
    expect(await row.textContent()).toContain("CLB Rollenpad");
    // Four eyes: the role awaits a second person's approval, with a link to the approvals, and no End form yet.
    expect(await row.textContent()).toContain("wacht op goedkeuring");
    expect(await page.getByRole("button", { name: "Beëindigen" }).count()).toBe(0);
    await expectAccessible(page, "roles-admin-03-requested");
    // The navigation shows the administrator's approvals entry; their own request has no approve button there.
    await page.getByRole("link", { name: "Naar de goedkeuringen" }).click();
    await page.waitForURL(/\/admin\/approvals/);
    expect(await page.locator("#pending-requests").textContent()).toContain("U vroeg deze rol zelf aan");
    expect(await page.getByRole("button", { name: /^Goedkeuren/ }).count()).toBe(0);
    await expectAccessible(page, "roles-admin-03b-own-request");
    // A second administrator approves it (the journey of decision 0049 is test/browser/role-approval.test.ts).
    const [mid] = (await membershipsOf(db, person.id)).map((m) => m.id);
    await decideRequest(server.ctx, { actor: { userId: secondAdmin.id, displayName: "", sessionId: "test", isAdmin: true, isRegionalAnalyst: false, isDpo: false, memberships: [] } }, mid, { approve: true });
    await page.goto(`/admin/accounts/${person.id}`);
    await expect.poll(() => row.textContent()).toContain("loopt");
    await expectAccessible(page, "roles-admin-03-given");

    // End it with the default last day (yesterday): no longer counts today.
    expect(await page.getByLabel("Laatste dag van deze rol").inputValue()).toBe(addDays(todayInBrussels(), -1));
    await page.getByRole("button", { name: "Beëindigen" }).click();
    await page.waitForURL(/saved=end/);
    await expect.poll(() => page.locator("#memberships tbody tr").count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain("beëindigd");
    expect(await page.getByRole("button", { name: "Beëindigen" }).count()).toBe(0);
    await expectAccessible(page, "roles-admin-04-ended");
    expect((await membershipsOf(db, person.id)).map((m) => [m.livc_id, m.role, m.organisation_id, m.valid_to])).toEqual([[livcId, "reporter", orgId, addDays(todayInBrussels(), -1)]]);

    await page.getByLabel("Regionale analist").check();
    await page.getByRole("button", { name: "Platformrollen opslaan" }).click();
    await page.waitForURL(/saved=platform_roles/);
    await expect.poll(() => page.getByLabel("Regionale analist").isChecked()).toBe(true);
    await expectAccessible(page, "roles-admin-05-platform-roles");
    expect(await platformRolesOf(db, person.id)).toEqual(["regional_analyst"]);

    // dpo (decision 0049, amended): saved as a request that waits for a second administrator.
    await page.getByLabel("Functionaris voor gegevensbescherming").check();
    await page.getByRole("button", { name: "Platformrollen opslaan" }).click();
    await page.waitForURL(/saved=platform_requested/);
    expect(await page.locator(".notice").first().textContent()).toContain("andere beheerder");
    expect(await page.locator("#platform-pending").textContent()).toContain("Functionaris voor gegevensbescherming");
    expect(await page.getByLabel("Functionaris voor gegevensbescherming").isChecked()).toBe(false);
    expect(await platformRolesOf(db, person.id)).toEqual(["regional_analyst"]);
    await expectAccessible(page, "roles-admin-06-dpo-requested");
    await page.locator("#platform-pending a").click();
    await page.waitForURL(/\/admin\/approvals/);
    const own = page.locator("#platform-requests");
    expect(await own.textContent()).toContain("U vroeg deze rol zelf aan");
    expect(await own.getByRole("button", { name: /^Goedkeuren/ }).count()).toBe(0);
    await expectAccessible(page, "roles-admin-07-dpo-own-request");
    await context.close();

    // The second administrator approves it on /admin/approvals (count in the navigation).
    const second = await newPage(browser, server.baseUrl);
    const errorsB = watchPageErrors(second.page);
    await loginInBrowser(second.page, secondAdmin, "/admin/approvals");
    await second.page.waitForURL(/\/admin\/approvals/);
    expect((await second.page.locator(".main-nav a[href='/admin/approvals']").textContent())?.replace(/\s+/g, " ")).toContain("Goedkeuringen 1");
    const request = second.page.locator("#platform-requests section");
    await expect.poll(() => request.count()).toBe(1);
    expect(await request.textContent()).toContain("Functionaris voor gegevensbescherming voor Jana Rolwissel");
    await expectAccessible(second.page, "roles-admin-08-dpo-pending");
    await second.page.getByRole("button", { name: "Goedkeuren Functionaris voor gegevensbescherming voor Jana Rolwissel" }).click();
    await second.page.waitForURL(/done=approved/);
    expect(await second.page.locator("#platform-pending-none").count()).toBe(1);
    await expectAccessible(second.page, "roles-admin-09-dpo-approved");
    await second.context.close();
    expect(errorsB).toEqual([]);
    expect((await platformRolesOf(db, person.id)).sort()).toEqual(["dpo", "regional_analyst"]);
    // The one refused form answers 400 (the browser logs it); nothing else may appear.
    expect(errors.filter((e) => e.includes("status of 400"))).toHaveLength(1);
    expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
  });
});
