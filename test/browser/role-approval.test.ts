import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { requestRole } from "../../src/modules/identity/roles";
import { membershipsOf } from "../../src/modules/identity/store";
import { createUser, loginInBrowser } from "../support/auth";
import { describeBrowser, expectAccessible, expectAccessibleWithoutJs, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput, makeTestLivc } from "../support/livc";

/**
 * Decision 0049 in a real browser: administrator A asks for a coordinator role; it waits for approval;
 * the LIVC's chair sees the count in the navigation and approves it on /livc-roles. A second request is
 * refused by the LIVC's coordinator WITHOUT JavaScript (plain forms): an empty reason is refused with a
 * linked summary, then refused with a reason. Zero axe violations on every page.
 */
describeBrowser("four eyes: an administrator asks for an LIVC role, the LIVC's chair approves it", () => {
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
  it("requested on the account page, approved by the chair on /livc-roles (with JavaScript), another refused by the coordinator (without); accessibly", async () => {
    const db = server.ctx.database.db;
    const livcId = await makeTestLivc(server.ctx.database, {}, livcInput("BR-4OG", "LIVC Vier Ogen"));
    const chair = await createUser(server.ctx, { displayName: "Carla Voorzitter", roles: [{ livcId, role: "chair" }] });
    const coordinator = await createUser(server.ctx, { displayName: "Koen Coördinator", roles: [{ livcId, role: "coordinator" }] });
    const grantee = await createUser(server.ctx, { displayName: "Gert Gevraagd" });
    const adminA = await createUser(server.ctx, { platformRoles: ["admin"], displayName: "Anna Beheerder" });

    // Administrator A asks for the coordinator role.
    const a = await newPage(browser, server.baseUrl);
    const errorsA = watchPageErrors(a.page);
    await loginInBrowser(a.page, adminA, `/admin/accounts/${grantee.id}`);
    await a.page.getByLabel("LIVC", { exact: true }).selectOption(livcId);
    await a.page.getByLabel("Rol", { exact: true }).selectOption("coordinator");
    await a.page.getByRole("button", { name: "Rol geven" }).click();
    await a.page.waitForURL(/saved=grant/);
    expect(await a.page.locator(".notice").first().textContent()).toContain("De rol is aangevraagd");
    expect(await a.page.locator("#memberships tbody tr").textContent()).toContain("wacht op goedkeuring");
    await expectAccessible(a.page, "role-approval-01-requested");
    await a.context.close();
    expect(errorsA).toEqual([]);

    // The chair: the count in the navigation, the request on /livc-roles, approve.
    const c = await newPage(browser, server.baseUrl);
    const errorsC = watchPageErrors(c.page);
    await loginInBrowser(c.page, chair, "/livc-roles");
    await c.page.waitForURL(new RegExp(`/livc-roles/${livcId}`));
    const nav = c.page.locator(".main-nav a[href='/livc-roles']");
    expect((await nav.textContent())?.replace(/\s+/g, " ").trim()).toBe("Rollen in het LIVC 1 wachten op uw beslissing");
    const request = c.page.locator("#pending-requests section");
    await expect.poll(() => request.count()).toBe(1);
    expect(await request.textContent()).toContain("Coördinator voor Gert Gevraagd");
    expect(await request.textContent()).toContain("Anna Beheerder");
    await expectAccessible(c.page, "role-approval-02-pending");
    await c.page.getByRole("button", { name: "Goedkeuren Coördinator voor Gert Gevraagd" }).click();
    await c.page.waitForURL(/done=approved/);
    expect(await c.page.locator(".notice").first().textContent()).toContain("De rol is goedgekeurd");
    expect(await c.page.locator("#pending-none").count()).toBe(1);
    expect(await c.page.locator("#livc-roles").textContent()).toContain("Gert Gevraagd");
    expect((await nav.textContent())?.trim()).toBe("Rollen in het LIVC");
    await expectAccessible(c.page, "role-approval-03-approved");
    await c.context.close();
    expect(errorsC).toEqual([]);
    expect((await membershipsOf(db, grantee.id)).map((m) => [m.role, m.approval, m.decided_by])).toEqual([["coordinator", "approved", chair.id]]);

    // Another request, refused by the coordinator in a browser WITHOUT JavaScript.
    const other = await createUser(server.ctx, { displayName: "Olga Ander" });
    const mid = await requestRole(server.ctx, { actor: { userId: adminA.id, displayName: "", sessionId: "t", isAdmin: true, isRegionalAnalyst: false, isDpo: false, memberships: [] } }, { userId: other.id, livcId, role: "information_officer" });
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE", javaScriptEnabled: false });
    const page = await context.newPage();
    await loginInBrowser(page, coordinator, `/livc-roles/${livcId}`);
    await page.getByRole("button", { name: "Weigeren Informatieambtenaar voor Olga Ander" }).click();
    await page.waitForURL(new RegExp(`/livc-roles/${livcId}/requests/${mid}/refuse`));
    expect(await page.locator(`.error-summary a[href='#reason-${mid}']`).textContent()).toBe("Geef een reden om deze aanvraag te weigeren.");
    await expectAccessibleWithoutJs(page, "role-approval-04-reason-required");
    await page.getByLabel("Reden om te weigeren").fill("Niet afgesproken in het LIVC");
    await page.getByRole("button", { name: "Weigeren Informatieambtenaar voor Olga Ander" }).click();
    await page.waitForURL(/done=refused/);
    expect(await page.locator(".notice").first().textContent()).toContain("De aanvraag is geweigerd");
    await expectAccessibleWithoutJs(page, "role-approval-05-refused");
    await context.close();
    expect((await membershipsOf(db, other.id)).map((m) => [m.approval, m.refusal_reason])).toEqual([["refused", "Niet afgesproken in het LIVC"]]);
  });
});
