import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addActions, openCaseFromScreening, updateAction } from "../../src/modules/cases/service";
import { ensureOrganisation } from "../../src/modules/identity/service";
import { acknowledgeConfidentiality, scheduleMeeting } from "../../src/modules/meetings/service";
import { addSeat, respondToInvitation } from "../../src/modules/partners/service";
import { addFramework, createLivc } from "../../src/modules/registry/service";
import type { Actor, LivcMembership } from "../../src/platform/policy/actor";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput } from "../support/livc";

/**
 * Decision 0061 in the browser: the coordinator's plan (a 360 px screen is not pushed sideways), an owner
 * that cannot see the case refused with a linked error and the typed text kept, an edit refused because
 * the action changed meanwhile, and the partner's work list of open actions; zero axe violations on each.
 */
describeBrowser("journey: action owners see, find and keep their actions", () => {
  let server: TestServer;
  let browser: Browser;
  let caseId: string;
  let label: string;
  let actionId: string;
  let seated: string;
  let coordinatorActor: Actor;
  const people: Record<string, TestUser> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const ctx = server.ctx;
    const livc = await createLivc(ctx.database, { actor: null }, livcInput("ACTIE", "LIVC Actiestad"));
    await addFramework(ctx.database, {}, livc, { participants: "Vaste leden en per casus uitgenodigde diensten", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2024-01-01" });
    const town = await ensureOrganisation(ctx, { name: "Stad Actiestad", sector: "prevention_service" });
    const clb = await ensureOrganisation(ctx, { name: "CLB Actiestad", sector: "clb" });
    seated = await ensureOrganisation(ctx, { name: "Jeugdhuis Zetel", sector: "youth_work" });
    await addSeat(ctx, {}, { livcId: livc, seat: "partner", organisationId: seated, fromOn: "2024-01-01" });
    const member = async (key: string, name: string, role: LivcMembership["role"], organisationId: string): Promise<Actor> => {
      people[key] = await createUser(ctx, { displayName: name, roles: [{ livcId: livc, role, organisationId }] });
      return { userId: people[key].id, displayName: name, sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role, organisationId }] };
    };
    coordinatorActor = await member("coordinator", "Yusuf Coördinator", "coordinator", town);
    const clbActor = await member("clb", "Lotte CLB", "partner_member", clb);
    const c = await openCaseFromScreening(ctx, { actor: coordinatorActor }, { livcId: livc, reportId: null, minor: false, identity: { fullName: "Noah Fictief", dateOfBirth: "2004-04-04" }, screeningDecision: "take_up" });
    caseId = c.id;
    label = c.label ?? "";
    const meetingId = await scheduleMeeting(ctx, { actor: coordinatorActor }, { livcId: livc, heldOn: "2099-06-01", startsAt: null, place: "Stadhuis", videoUrl: null, items: [{ caseId, organisationIds: [clb] }] });
    const inv = await ctx.database.db.selectFrom("consultation_case_service").select("invitation_id").where("consultation_id", "=", meetingId).executeTakeFirstOrThrow();
    await respondToInvitation(ctx, { actor: clbActor }, inv.invitation_id!, { answer: "accept" });
    await acknowledgeConfidentiality(ctx, { actor: clbActor }, meetingId);
    [actionId] = await addActions(ctx, { actor: coordinatorActor }, caseId, [{ description: "Gesprek met de jongere en de ouders over de begeleiding op school", ownerOrganisationId: clb, dueOn: "2099-07-01" }]);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (who: TestUser, next: string, width?: number): Promise<Page> => {
    const { page } = await newPage(browser, server.baseUrl);
    if (width) await page.setViewportSize({ width, height: 800 });
    errors.push(...watchPageErrors(page));
    await loginInBrowser(page, who, next);
    return page;
  };
  const fitsScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it("refuses an owner that cannot see the case, refuses a stale edit, and lists the partner's open actions, accessible at 360 px", async () => {
    // 1. The coordinator's case page on a phone: the plan scrolls in its own region.
    const coordinator = await signIn(people.coordinator, `/cases/${caseId}`, 360);
    await expect.poll(() => coordinator.locator("h1").textContent()).toBe(label);
    expect(await fitsScreen(coordinator)).toBe(true);
    await expectAccessible(coordinator, "actions-case-360");
    // Only organisations that can see the case are offered: not the seated youth centre.
    expect(await coordinator.locator(`#owner option[value="${seated}"]`).count()).toBe(0);

    // 2. A forged choice (as an old form or another tab might post) is refused with a linked error; the text stays.
    await coordinator.setViewportSize({ width: 1280, height: 900 });
    await coordinator.locator("#description").fill("Huisbezoek plannen");
    await coordinator.locator("#owner").evaluate((select, value) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = "Jeugdhuis Zetel";
      select.appendChild(option);
      (select as HTMLSelectElement).value = value;
    }, seated);
    await coordinator.locator("#due_on").fill("2099-08-01");
    await coordinator.getByRole("button", { name: "Actie toevoegen" }).click();
    await expect.poll(() => coordinator.locator(".error-summary a[href='#owner']").count()).toBe(1);
    expect(await coordinator.locator("#description").inputValue()).toBe("Huisbezoek plannen");
    await expectAccessible(coordinator, "actions-owner-refused");

    // 3. An edit loaded before someone else saved is refused: the typed text stays, with a notice.
    await coordinator.goto(`/cases/actions/${actionId}/edit`);
    await coordinator.locator("#due_on").fill("2099-07-15");
    await updateAction(server.ctx, { actor: coordinatorActor }, actionId, { description: "Gesprek met de jongere", ownerOrganisationId: (await server.ctx.database.db.selectFrom("case_action").select("owner_organisation_id").where("id", "=", actionId).executeTakeFirstOrThrow()).owner_organisation_id, dueOn: "2099-07-02", revision: 1 });
    await coordinator.getByRole("button", { name: "Wijzigingen bewaren" }).click();
    await expect.poll(() => coordinator.locator(".notice").count()).toBe(1);
    expect(await coordinator.locator("#due_on").inputValue()).toBe("2099-07-15");
    await expectAccessible(coordinator, "actions-edit-conflict");

    // 4. The CLB member's work list on a phone: every open action of the organisation, not only overdue ones.
    const clb = await signIn(people.clb, "/cases/work", 360);
    await expect.poll(() => clb.locator("#open-owner").count()).toBe(1);
    expect(await clb.getByRole("link", { name: label }).count()).toBeGreaterThan(0);
    expect(await clb.content()).not.toContain("Gesprek met de jongere");
    expect(await fitsScreen(clb)).toBe(true);
    await expectAccessible(clb, "actions-work-list-360");
    expect(errors).toEqual([]);
  });
});
