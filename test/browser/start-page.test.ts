import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as cases from "../../src/modules/cases/service";
import { makeLivc, makeOrganisation } from "../../src/modules/cases/testing";
import { emptyForm } from "../../src/modules/intake/schema";
import { fileReport } from "../../src/modules/intake/service";
import { scheduleMeeting } from "../../src/modules/meetings/service";
import { addOrganisationContact, sendInvitation } from "../../src/modules/partners/service";
import { addFramework, addMembership } from "../../src/modules/registry/service";
import { addDays, todayInBrussels } from "../../src/platform/db/values";
import type { Actor, LivcRole } from "../../src/platform/policy/actor";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";

/** The number on a start-page card (the data attribute and the visible figure must agree). */
async function figure(page: Page, key: string): Promise<number> {
  const card = page.locator(`#waiting-${key}`);
  const n = Number(await card.getAttribute("data-count"));
  expect(await card.locator(".figure").textContent()).toBe(String(n));
  return n;
}

describeBrowser("journey: the start page shows a coordinator and a partner contact what waits, as numbers that match the lists", () => {
  let server: TestServer;
  let browser: Browser;
  let coordinator: TestUser;
  let contact: TestUser;
  const SUBJECT = "Startpagina Persoon";

  const actorOf = (u: TestUser, roles: { livcId: string; role: LivcRole; organisationId?: string }[]): Actor => ({
    userId: u.id,
    displayName: u.displayName,
    sessionId: "test",
    isAdmin: false,
    isRegionalAnalyst: false,
    isDpo: false,
    memberships: roles.map((r) => ({ ...r, organisationId: r.organisationId ?? null })),
  });

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const ctx = server.ctx;
    const today = todayInBrussels();
    const livc = await makeLivc(ctx);
    await addMembership(ctx.database, { actor: null }, livc, { nis: "31005", joined_on: "2019-01-01", left_on: null });
    await addFramework(ctx.database, {}, livc, { participants: "Vaste leden", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2026-01-01" });
    const town = await makeOrganisation(ctx, "Stad", "prevention_service");
    const clb = await makeOrganisation(ctx, "CLB", "clb");
    const coordRoles = [{ livcId: livc, role: "coordinator" as const, organisationId: town }];
    const contactRoles = [{ livcId: livc, role: "partner_member" as const, organisationId: clb }];
    coordinator = await createUser(ctx, { roles: coordRoles, displayName: "Coördinator Start" });
    contact = await createUser(ctx, { roles: contactRoles, displayName: "Contact CLB Start" });
    const reporter = await createUser(ctx, { roles: [{ livcId: livc, role: "reporter" }] });
    await addOrganisationContact(ctx, {}, clb, contact.id);
    const coord = actorOf(coordinator, coordRoles);

    const refs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await fileReport(ctx, { actor: actorOf(reporter, [{ livcId: livc, role: "reporter" }]) }, { ...emptyForm(), identity_known: "known", subject_name: SUBJECT, subject_birth_date: "2001-01-01", municipality_nis: "31005", signals: ["supports_violence"], observation: "x", since: "weeks", person_knows: "no", reporter_contact: "0470" }, "submit");
      if (r.kind === "submitted") refs.push(r.reference);
    }
    await ctx.database.db.updateTable("report").set({ screening_due_on: addDays(today, -1) }).where("reference", "=", refs[0]).execute();
    await sendInvitation(ctx, {}, { livcId: livc, organisationId: clb, kind: "structural" });
    const opened = await cases.openCaseFromScreening(ctx, { actor: coord }, { livcId: livc, reportId: null, minor: false, identity: { fullName: SUBJECT, dateOfBirth: "2001-01-01" }, screeningDecision: "take_up" });
    // Owned by the police, a core service (its information officer sees every case of the LIVC, decision 0061);
    // not the CLB, whose invitation stays pending, and not the coordinator's own service.
    const police = await makeOrganisation(ctx, "Politie", "local_police");
    await createUser(ctx, { roles: [{ livcId: livc, role: "information_officer", organisationId: police }], displayName: "Informatieambtenaar Start" });
    await cases.addActions(ctx, { actor: coord }, opened.id, [{ description: "Gesprek", ownerOrganisationId: police, dueOn: addDays(today, -3) }]);
    await scheduleMeeting(ctx, { actor: coord }, { livcId: livc, heldOn: addDays(today, 7), startsAt: "10:00", place: "Stadhuis", videoUrl: null, items: [{ caseId: opened.id, organisationIds: [clb] }] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("coordinator: counts, the lists behind them, no names; partner contact: invitations and the meeting; a visitor the welcome", async () => {
    const c = await newPage(browser, server.baseUrl);
    const errors = watchPageErrors(c.page);
    await loginInBrowser(c.page, coordinator, "/");
    await c.page.goto("/");
    expect(await c.page.locator("h1").textContent()).toBe("Wat wacht op jou");
    await expectAccessible(c.page, "start-coordinator");
    expect(await c.page.locator("main").textContent()).not.toContain(SUBJECT);
    const open = await figure(c.page, "screening_open");
    const overdue = await figure(c.page, "screening_overdue");
    expect([open, overdue]).toEqual([2, 1]);
    expect(await figure(c.page, "actions_overdue")).toBe(1);
    expect(await figure(c.page, "meetings_ack")).toBe(1);
    // Each number is the rows of its list.
    await c.page.getByRole("link", { name: /Meldingen te screenen/ }).click();
    await c.page.waitForURL("**/screening");
    expect(await c.page.locator("main table tbody tr").count()).toBe(open);
    expect(await c.page.locator("main table tbody tr.overdue").count()).toBe(overdue);
    await c.page.goto("/");
    await c.page.getByRole("link", { name: /Acties over tijd/ }).click();
    await c.page.waitForURL("**/cases/work");
    // The coordinator's organisation owns no action: the only rows are the LIVC's overdue actions.
    expect(await c.page.locator("section[aria-labelledby='work-title'] li").count()).toBe(1);
    await c.page.goto("/");
    await c.page.getByRole("link", { name: /beroepsgeheim nog moet bevestigen/ }).click();
    await c.page.waitForURL("**/meetings?status=planned");
    expect(await c.page.locator("main table tbody tr").count()).toBe(1);
    await c.page.locator("main table tbody a").first().click();
    expect(await c.page.locator("form[action$='/acknowledge']").count()).toBe(1);

    // The partner contact, at phone width too.
    const p = await newPage(browser, server.baseUrl);
    const pErrors = watchPageErrors(p.page);
    await loginInBrowser(p.page, contact, "/");
    await p.page.goto("/");
    await expectAccessible(p.page, "start-partner");
    const invitations = await figure(p.page, "invitations");
    // The structural invitation and the consultation invitation the meeting sent.
    expect(invitations).toBe(2);
    expect(await figure(p.page, "meetings_ack")).toBe(1);
    expect(await p.page.locator("#waiting-screening_open").count()).toBe(0);
    await p.page.setViewportSize({ width: 360, height: 800 });
    await expectAccessible(p.page, "start-partner-360");
    expect(await p.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await p.page.setViewportSize({ width: 1280, height: 800 });
    await p.page.getByRole("link", { name: /Uitnodigingen zonder antwoord/ }).click();
    await p.page.waitForURL("**/invitations");
    expect(await p.page.locator("main table tbody tr", { hasText: "wacht op antwoord" }).count()).toBe(invitations);
    // In English.
    await p.page.goto("/?lang=en");
    expect(await p.page.locator("h1").textContent()).toBe("What is waiting for you");
    await expectAccessible(p.page, "start-partner-en");

    // Without JavaScript: a visitor gets the welcome; signed in, the same server-rendered numbers and links.
    const noJs = await browser.newContext({ baseURL: server.baseUrl, locale: "nl-BE", javaScriptEnabled: false });
    const v = await noJs.newPage();
    await v.goto("/");
    expect(await v.locator("h1").textContent()).toBe("Welkom bij Schakel");
    expect(await v.locator("#waiting").count()).toBe(0);
    await loginInBrowser(v, contact, "/");
    await v.goto("/");
    expect(await v.locator("h1").textContent()).toBe("Wat wacht op jou");
    expect(await figure(v, "invitations")).toBe(invitations);
    expect(await v.locator("#waiting-invitations a").getAttribute("href")).toBe("/invitations");
    await noJs.close();

    expect(errors).toEqual([]);
    expect(pErrors).toEqual([]);
  });
});
