import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openCaseFromScreening } from "../../src/modules/cases/service";
import { ensureOrganisation } from "../../src/modules/identity/service";
import { addOrganisationContact, addSeat } from "../../src/modules/partners/service";
import { addFramework, createLivc } from "../../src/modules/registry/service";
import { addDays, todayInBrussels } from "../../src/platform/db/values";
import { createUser, loginInBrowser, type TestUser } from "../support/auth";
import { describeBrowser, expectAccessible, launchBrowser, newPage, startTestServer, type TestServer, watchPageErrors } from "../support/browser";
import { livcInput } from "../support/livc";

/**
 * The case consultation journey: the coordinator schedules a consultation in two steps, two cases
 * (found by a label search) and then the services per case (CLB invited for one, CAW for the other); the CLB member accepts, acknowledges confidentiality and
 * sees only their case; the meeting is minuted with an action and attendance; the information
 * officer's feedback form is approved by every attendee and marked sent; the chair closes the case.
 * Decision 0051: the acknowledgement card shows the framework; the chair (linked without an
 * organisation) is in the attendance register and must approve case A's form; the CAW member, present
 * for case B only, is not asked.
 */
describeBrowser("journey: case consultation under shared professional secrecy", () => {
  let server: TestServer;
  let browser: Browser;
  let people: Record<"chair" | "coordinator" | "officer" | "clb" | "caw", TestUser>;
  let caseA: { id: string; label: string };
  let caseB: { id: string; label: string };
  // Held today: minutes and attendance are recorded from the meeting's day on (decision 0058).
  const meetingDay = todayInBrussels();
  const errors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const ctx = server.ctx;
    const livc = await createLivc(ctx.database, { actor: null }, livcInput("GENT", "LIVC Gent"));
    await addFramework(ctx.database, {}, livc, { participants: "Vaste leden en per casus uitgenodigde diensten", purpose: "Casusoverleg", working_arrangements: "Maandelijks", adopted_on: "2024-01-01" });
    const town = await ensureOrganisation(ctx, { name: "Stad Gent", sector: "prevention_service" });
    const police = await ensureOrganisation(ctx, { name: "Politiezone Gent", sector: "local_police" });
    const clb = await ensureOrganisation(ctx, { name: "CLB Gent", sector: "clb" });
    const caw = await ensureOrganisation(ctx, { name: "CAW Oost-Vlaanderen", sector: "caw" });
    // The services invited per case are the LIVC's seated partners.
    for (const organisationId of [clb, caw]) await addSeat(ctx, {}, { livcId: livc, seat: "partner", organisationId, fromOn: "2024-01-01" });
    people = {
      // The mayor-chair as linked on the LIVC form: no organisation.
      chair: await createUser(ctx, { displayName: "Hilde Voorzitter", roles: [{ livcId: livc, role: "chair" }] }),
      coordinator: await createUser(ctx, { displayName: "Yusuf Coördinator", roles: [{ livcId: livc, role: "coordinator", organisationId: town }] }),
      officer: await createUser(ctx, { displayName: "Marc Informatie", roles: [{ livcId: livc, role: "information_officer", organisationId: police }] }),
      clb: await createUser(ctx, { displayName: "Lotte CLB", roles: [{ livcId: livc, role: "partner_member", organisationId: clb }] }),
      caw: await createUser(ctx, { displayName: "Ahmed CAW", roles: [{ livcId: livc, role: "partner_member", organisationId: caw }] }),
    };
    await addOrganisationContact(ctx, {}, clb, people.clb.id);
    await addOrganisationContact(ctx, {}, caw, people.caw.id);
    const actor = { userId: people.coordinator.id, displayName: "", sessionId: "", isAdmin: false, isRegionalAnalyst: false, isDpo: false, memberships: [{ livcId: livc, role: "coordinator" as const }] };
    const open = (name: string) => openCaseFromScreening(ctx, { actor }, { livcId: livc, reportId: null, minor: true, identity: { fullName: name, dateOfBirth: "2010-04-04" }, screeningDecision: "take_up" });
    caseA = await open("Noah Fictief");
    caseB = await open("Sami Verzonnen");
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (who: TestUser, next: string): Promise<Page> => {
    const { page } = await newPage(browser, server.baseUrl);
    errors.push(...watchPageErrors(page));
    await loginInBrowser(page, who, next);
    return page;
  };
  const heading = (page: Page) => page.locator("h1").textContent();

  it("runs from scheduling to closure, accessible at every step", async () => {
    // 1. The coordinator schedules a consultation with two cases, a service per case.
    const coordinator = await signIn(people.coordinator, "/meetings/new");
    await expect.poll(() => heading(coordinator)).toBe("Casusoverleg plannen");
    await expectAccessible(coordinator, "cases-schedule");
    await coordinator.getByRole("button", { name: "Verder: diensten per casus" }).click();
    await expect.poll(() => coordinator.locator(".error-summary").count()).toBe(1);
    await expectAccessible(coordinator, "cases-schedule-errors");
    await coordinator.locator("#held_on").fill(meetingDay);
    await coordinator.locator("#starts_at").fill("14:00");
    await coordinator.locator("#place").fill("Stadhuis, zaal 2");
    await coordinator.getByLabel(`${caseA.label} op de agenda`).check();
    // A label search keeps what was typed and ticked (a plain POST, no JavaScript needed).
    await coordinator.locator("#q").fill(caseB.label);
    await coordinator.getByRole("button", { name: "Zoeken" }).click();
    await expect.poll(() => coordinator.locator("#case-count").textContent()).toBe("Open casussen: 1 (pagina 1 van 1)");
    expect(await coordinator.getByLabel(`${caseA.label} op de agenda`).isChecked()).toBe(true);
    expect(await coordinator.locator("#place").inputValue()).toBe("Stadhuis, zaal 2");
    await coordinator.getByLabel(`${caseB.label} op de agenda`).check();
    await expectAccessible(coordinator, "cases-schedule-search");
    // Step 2: per case, the services offered (the LIVC's seated organisations).
    await coordinator.getByRole("button", { name: "Verder: diensten per casus" }).click();
    await expect.poll(() => coordinator.getByRole("group", { name: `Diensten voor ${caseA.label}` }).count()).toBe(1);
    await expectAccessible(coordinator, "cases-schedule-services");
    await coordinator.getByRole("group", { name: `Diensten voor ${caseA.label}` }).getByLabel("CLB Gent").check();
    await coordinator.getByRole("group", { name: `Diensten voor ${caseB.label}` }).getByLabel("CAW Oost-Vlaanderen").check();
    await coordinator.getByRole("button", { name: "Overleg plannen" }).click();
    await coordinator.waitForURL(/\/meetings\/[0-9a-f-]{36}$/);
    const meetingUrl = new URL(coordinator.url()).pathname;
    // Even the coordinator sees no case before acknowledging; the card shows the framework they are bound by.
    expect(await coordinator.content()).not.toContain(caseA.label);
    await expect.poll(() => coordinator.getByRole("heading", { name: "Het kader waaraan u gebonden bent" }).count()).toBe(1);
    expect(await coordinator.locator(".framework").textContent()).toContain("Vaste leden en per casus uitgenodigde diensten");
    await expectAccessible(coordinator, "cases-meeting-gate");

    // 2. The CLB member accepts the invitation, acknowledges confidentiality, and sees only case A.
    const clb = await signIn(people.clb, "/invitations");
    const invitation = await clb.locator("main a[href^='/invitations/']").first().getAttribute("href");
    await clb.goto(invitation!);
    await clb.getByLabel("Wij nemen deel").check();
    await clb.getByRole("button", { name: "Antwoord versturen" }).click();
    await clb.goto(meetingUrl);
    await expect.poll(() => clb.locator("#gate-title").count()).toBe(1);
    expect(await clb.content()).not.toContain(caseA.label);
    await clb.getByRole("button", { name: "Ik bevestig de vertrouwelijkheid voor dit overleg" }).click();
    await expect.poll(() => clb.getByRole("link", { name: caseA.label }).count()).toBe(1);
    expect(await clb.content()).not.toContain(caseB.label);
    await expect.poll(() => clb.getByText("1 andere casus(sen) op de agenda worden niet met u gedeeld.").count()).toBe(1);
    await expectAccessible(clb, "cases-meeting-partner");
    const refused = await clb.goto(`/cases/${caseB.id}`);
    expect(refused?.status()).toBe(404);
    await clb.goto("/cases");
    expect(await clb.content()).toContain(caseA.label);
    expect(await clb.content()).not.toContain(caseB.label);
    // The CAW member takes part for case B only.
    const caw = await signIn(people.caw, "/invitations");
    await caw.goto((await caw.locator("main a[href^='/invitations/']").first().getAttribute("href"))!);
    await caw.getByLabel("Wij nemen deel").check();
    await caw.getByRole("button", { name: "Antwoord versturen" }).click();
    await caw.goto(meetingUrl);
    await caw.getByRole("button", { name: "Ik bevestig de vertrouwelijkheid voor dit overleg" }).click();
    await expect.poll(() => caw.getByRole("link", { name: caseB.label }).count()).toBe(1);

    // 3. The coordinator acknowledges, minutes case A with an action, and records attendance.
    await coordinator.getByRole("button", { name: "Ik bevestig de vertrouwelijkheid voor dit overleg" }).click();
    await coordinator.getByRole("link", { name: `Verslag opmaken ${caseA.label}` }).click();
    await expect.poll(() => heading(coordinator)).toBe(`Verslag: ${caseA.label}`);
    await expectAccessible(coordinator, "cases-minutes");
    await coordinator.locator("#decisions").fill("CLB start begeleiding op school.");
    await coordinator.locator("#next_review_on").fill(addDays(meetingDay, 30));
    await coordinator.locator("#action1_description").fill("Gesprek met leerling en ouders");
    await coordinator.locator("#action1_owner").selectOption({ label: "CLB Gent" });
    await coordinator.locator("#action1_due_on").fill(addDays(meetingDay, 14));
    await coordinator.getByRole("button", { name: "Verslag opslaan" }).click();
    await expect.poll(() => coordinator.getByText("Verslag opgeslagen.").count()).toBe(1);
    await coordinator.getByLabel("Yusuf Coördinator").check();
    await coordinator.getByLabel("Marc Informatie").check();
    await coordinator.getByLabel("Lotte CLB").check();
    await coordinator.getByLabel("Hilde Voorzitter").check();
    await coordinator.getByLabel("Ahmed CAW").check();
    await coordinator.getByRole("button", { name: "Aanwezigheden opslaan" }).click();
    await expect.poll(() => coordinator.getByText("Aanwezigheden opgeslagen.").count()).toBe(1);
    await expectAccessible(coordinator, "cases-meeting-minuted");

    // 4. The information officer drafts the feedback form, attests it and approves.
    const officer = await signIn(people.officer, `/cases/${caseA.id}`);
    await expect.poll(() => heading(officer)).toBe(caseA.label);
    await expectAccessible(officer, "cases-case-officer");
    await officer.locator("#content").fill("Opvolging via het CLB is gestart. Geen verdere actie van de politie gevraagd.");
    await officer.getByRole("button", { name: "Fiche opstellen" }).click();
    await officer.waitForURL(/\/feedback\//);
    const feedbackUrl = new URL(officer.url()).pathname;
    await officer.getByRole("button", { name: "Ik verklaar dat deze fiche geen informatie bevat die onder het beroepsgeheim valt" }).click();
    await officer.getByRole("button", { name: "Akkoord", exact: true }).click();
    // Not everyone approved yet: it cannot be sent.
    expect(await officer.getByRole("button", { name: "Markeer als verstuurd" }).count()).toBe(0);
    await expectAccessible(officer, "cases-feedback-pending");

    // Case A's participants only: the chair (no organisation) is asked, the CAW member (case B) is not.
    expect(await officer.getByText("Hilde Voorzitter: Nog niet gestemd").count()).toBe(1);
    expect(await officer.content()).not.toContain("Ahmed CAW");
    expect((await caw.goto(feedbackUrl))?.status()).toBe(404);

    // 5. The other participants approve.
    const chair = await signIn(people.chair, feedbackUrl);
    for (const [page, name] of [[coordinator, "Yusuf Coördinator"], [clb, "Lotte CLB"], [chair, "Hilde Voorzitter"]] as const) {
      await page.goto(feedbackUrl);
      await page.getByRole("button", { name: "Akkoord", exact: true }).click();
      await expect.poll(() => page.getByText(`${name}: Akkoord`).count()).toBe(1);
    }

    // 6. Now the drafter marks it as sent.
    await officer.goto(feedbackUrl);
    await officer.getByRole("button", { name: "Markeer als verstuurd" }).click();
    await expect.poll(() => officer.locator(".tag").first().textContent()).toBe("Verstuurd");
    await expectAccessible(officer, "cases-feedback-sent");

    // 6b. The coordinator replans the action: a refused date first (error summary, typed values kept), then a good one.
    await coordinator.goto(`/cases/${caseA.id}`);
    await coordinator.getByRole("link", { name: /^Wijzigen/ }).first().click();
    await coordinator.waitForURL(/\/cases\/actions\/.+\/edit$/);
    await expectAccessible(coordinator, "cases-action-edit");
    await coordinator.locator("#due_on").fill("31-12-2026");
    await coordinator.getByRole("button", { name: "Wijzigingen bewaren" }).click();
    await expect.poll(() => coordinator.locator(".error-summary").count()).toBe(1);
    expect(await coordinator.locator("#due_on").inputValue()).toBe("31-12-2026");
    await expectAccessible(coordinator, "cases-action-edit-error");
    await coordinator.locator("#due_on").fill(addDays(todayInBrussels(), 40));
    await coordinator.getByRole("button", { name: "Wijzigingen bewaren" }).click();
    await expect.poll(() => heading(coordinator)).toBe(caseA.label);

    // 7. The chair closes the case with a reason.
    await chair.goto(`/cases/${caseA.id}`);
    await expect.poll(() => heading(chair)).toBe(caseA.label);
    await chair.getByRole("button", { name: "Casus afsluiten" }).click();
    await expect.poll(() => chair.locator(".error-summary").count()).toBe(1);
    await expectAccessible(chair, "cases-close-error");
    await chair.locator("#reason").selectOption("concern_addressed");
    await chair.getByRole("button", { name: "Casus afsluiten" }).click();
    await expect.poll(() => chair.locator("main .tag").first().textContent()).toBe("Afgesloten");
    await expectAccessible(chair, "cases-closed");
    await chair.getByRole("link", { name: "Wie zag deze casus?" }).click();
    await expect.poll(() => heading(chair)).toBe(`Wie zag casus ${caseA.label}`);
    await expectAccessible(chair, "cases-who-saw");

    // 8. The case list, filtered through its form (no JavaScript needed): closed cases only.
    await chair.goto("/cases");
    await expectAccessible(chair, "cases-list");
    await chair.locator("#status").selectOption("closed");
    await chair.getByRole("button", { name: "Zoeken", exact: true }).click();
    await chair.waitForURL(/status=closed/);
    expect(await chair.content()).toContain(caseA.label);
    expect(await chair.content()).not.toContain(caseB.label);
    await expectAccessible(chair, "cases-list-closed");

    // 9. The chair checks who holds a role in the LIVC (decision 0047).
    await chair.getByRole("link", { name: "Rollen in het LIVC" }).click();
    await chair.waitForURL(/\/livc-roles\/[0-9a-f-]{36}$/);
    expect(await chair.locator("#livc-roles").textContent()).toContain("Lotte CLB");
    await expectAccessible(chair, "livc-roles");
    expect(errors).toEqual([]);
  }, 240_000);
});
